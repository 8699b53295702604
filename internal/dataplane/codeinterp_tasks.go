package dataplane

// Background commands of a code interpreter session: startCommandExecution
// starts `sh -c command` and answers a task id at once; getTask reports its
// status and output so far; stopTask kills it. A task runs under the
// session's limits (CPU, memory, output) but not the call timeout: it lives
// until it ends, is stopped, or the session ends.

import (
	"fmt"
	"sync"
	"time"

	"agentcored/internal/dpapi"
)

// ciTask is one background command.
type ciTask struct {
	id      string
	proc    *ciProcess
	stdout  *cappedBuffer
	stderr  *cappedBuffer
	started time.Time

	mu       sync.Mutex
	status   dpapi.TaskStatus
	exitCode *int64
	ended    time.Time
}

// startTask starts command in the background.
func (cs *ciSession) startTask(command string) (*ciTask, error) {
	cmd := cs.command(cs.limits.CPUSeconds, "sh", "-c", command)
	t := &ciTask{stdout: &cappedBuffer{max: cs.limits.OutputBytes}, stderr: &cappedBuffer{max: cs.limits.OutputBytes},
		status: dpapi.TaskStatusWorking, started: time.Now()}
	cmd.Stdout, cmd.Stderr = t.stdout, t.stderr
	cmd.WaitDelay = commandWaitDelay
	p, err := cs.start(cmd)
	if err != nil {
		return nil, err
	}
	t.proc = p
	cs.mu.Lock()
	cs.taskSeq++
	t.id = fmt.Sprintf("task-%d", cs.taskSeq)
	cs.tasks[t.id] = t
	cs.mu.Unlock()
	go func() {
		_ = cs.wait(p)
		code := exitCodeOf(p.cmd.ProcessState)
		t.mu.Lock()
		defer t.mu.Unlock()
		t.exitCode, t.ended = &code, time.Now()
		if t.status == dpapi.TaskStatusWorking {
			t.status = dpapi.TaskStatusCompleted
			if code != 0 {
				t.status = dpapi.TaskStatusFailed
			}
		}
	}()
	return t, nil
}

// task finds a task of the session.
func (cs *ciSession) task(id string) *ciTask {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.tasks[id]
}

// stop kills a running task: it is canceled.
func (t *ciTask) stop() {
	t.mu.Lock()
	if t.status == dpapi.TaskStatusWorking {
		t.status = dpapi.TaskStatusCanceled
	}
	t.mu.Unlock()
	t.proc.kill()
	<-t.proc.done
}

// structured is the task's state as structuredContent.
func (t *ciTask) structured() *dpapi.ToolResultStructuredContent {
	t.mu.Lock()
	defer t.mu.Unlock()
	end := time.Now()
	if !t.ended.IsZero() {
		end = t.ended
	}
	secs := end.Sub(t.started).Seconds()
	return &dpapi.ToolResultStructuredContent{TaskId: t.id, TaskStatus: t.status, Stdout: t.stdout.String(),
		Stderr: t.stderr.String(), ExitCode: t.exitCode, ExecutionTime: &secs}
}
