package store

import (
	"errors"
	"strconv"

	"modernc.org/sqlite"
)

// The SQLite driver: modernc.org/sqlite, SQLite translated to Go (no cgo).
const sqliteDriver = "sqlite"

// sqliteDSNs are the connection strings of the write pool, the read pool
// and the background checkpointer's connection.
//
// synchronous=NORMAL in WAL mode syncs the WAL at checkpoints only: a commit
// survives the process being killed (the OS still has the pages), though
// not a power cut. wal_autocheckpoint is only a backstop: checkpoints run
// in the background (sqlite_checkpoint.go), which also explains
// journal_size_limit. busy_timeout covers other
// processes holding the file lock. temp_store=MEMORY keeps the savepoint
// journals of group commit (sqlite_group.go) in memory instead of
// temporary files. query_only makes a write through the read pool an error
// rather than a second writer.
func sqliteDSNs(path string) (write, read, checkpoint string) {
	write = path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(NORMAL)&_pragma=temp_store(MEMORY)" +
		"&_pragma=wal_autocheckpoint(" + strconv.Itoa(walBackstopPages) + ")" +
		"&_pragma=journal_size_limit(" + strconv.Itoa(walSizeLimit) + ")&_txlock=immediate"
	read = path + "?_pragma=busy_timeout(10000)&_pragma=query_only(1)"
	checkpoint = path + "?_pragma=busy_timeout(10000)&_pragma=journal_size_limit(" + strconv.Itoa(walSizeLimit) + ")"
	return write, read, checkpoint
}

// sqlitePrimaryCode is the primary result code of a driver error, or -1.
func sqlitePrimaryCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() & 0xff
	}
	return -1
}
