// Command example drives agentcored with aws-sdk-go-v2: create, read, tag,
// list and delete an agent runtime.
//
//	go run ./examples/go                               # server on http://127.0.0.1:4566
//	go run ./examples/go -endpoint http://host:4566
//
// With github.com/aws/aws-sdk-go-v2/config the usual way works as well:
// config.LoadDefaultConfig reads AWS_ENDPOINT_URL_BEDROCK_AGENTCORE_CONTROL,
// or pass the endpoint per client:
//
//	cfg, _ := config.LoadDefaultConfig(ctx)
//	client := bedrockagentcorecontrol.NewFromConfig(cfg, func(o *bedrockagentcorecontrol.Options) {
//		o.BaseEndpoint = aws.String("http://127.0.0.1:4566")
//	})
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	acc "github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol"
	"github.com/aws/aws-sdk-go-v2/service/bedrockagentcorecontrol/types"
)

func main() {
	endpoint := flag.String("endpoint", "http://127.0.0.1:4566", "agentcored's address")
	flag.Parse()
	if err := run(context.Background(), *endpoint, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "example:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, endpoint string, out io.Writer) error {
	client := acc.New(acc.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		// Any key works in the default permissive mode; this development
		// pair (account 123456789012) also passes strict mode.
		Credentials: credentials.NewStaticCredentialsProvider("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""),
	})

	created, err := client.CreateAgentRuntime(ctx, &acc.CreateAgentRuntimeInput{
		AgentRuntimeName: aws.String(fmt.Sprintf("go_example_%d", time.Now().UnixNano())),
		AgentRuntimeArtifact: &types.AgentRuntimeArtifactMemberContainerConfiguration{Value: types.ContainerConfiguration{
			ContainerUri: aws.String("123456789012.dkr.ecr.us-east-1.amazonaws.com/agent:latest"),
		}},
		RoleArn:              aws.String("arn:aws:iam::123456789012:role/AgentRole"),
		NetworkConfiguration: &types.NetworkConfiguration{NetworkMode: types.NetworkModePublic},
		Tags:                 map[string]string{"example": "go"},
	})
	if err != nil {
		return err
	}
	id := created.AgentRuntimeId
	fmt.Fprintf(out, "created %s (%s)\n", aws.ToString(id), created.Status)

	// READY at once under the default immediate lifecycle; poll for the
	// timed one.
	status := created.Status
	for i := 0; status != types.AgentRuntimeStatusReady && i < 120; i++ {
		got, err := client.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: id})
		if err != nil {
			return err
		}
		if status = got.Status; status != types.AgentRuntimeStatusReady {
			time.Sleep(500 * time.Millisecond)
		}
	}
	fmt.Fprintf(out, "status %s\n", status)

	if _, err := client.TagResource(ctx, &acc.TagResourceInput{ResourceArn: created.AgentRuntimeArn, Tags: map[string]string{"stage": "demo"}}); err != nil {
		return err
	}
	tags, err := client.ListTagsForResource(ctx, &acc.ListTagsForResourceInput{ResourceArn: created.AgentRuntimeArn})
	if err != nil {
		return err
	}
	var pairs []string
	for k, v := range tags.Tags {
		pairs = append(pairs, k+"="+v)
	}
	sort.Strings(pairs)
	fmt.Fprintf(out, "tags %s\n", strings.Join(pairs, ", "))

	// Listing pages through everything with the SDK's paginator.
	found := false
	pages := acc.NewListAgentRuntimesPaginator(client, &acc.ListAgentRuntimesInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, r := range page.AgentRuntimes {
			found = found || aws.ToString(r.AgentRuntimeId) == aws.ToString(id)
		}
	}
	if !found {
		return fmt.Errorf("%s missing from the listing", aws.ToString(id))
	}
	fmt.Fprintf(out, "listed %s\n", aws.ToString(id))

	if _, err := client.DeleteAgentRuntime(ctx, &acc.DeleteAgentRuntimeInput{AgentRuntimeId: id}); err != nil {
		return err
	}
	for i := 0; i < 120; i++ {
		_, err := client.GetAgentRuntime(ctx, &acc.GetAgentRuntimeInput{AgentRuntimeId: id})
		var notFound *types.ResourceNotFoundException
		if errors.As(err, &notFound) {
			fmt.Fprintf(out, "deleted %s\n", aws.ToString(id))
			return nil
		}
		if err != nil {
			return err
		}
		time.Sleep(500 * time.Millisecond)
	}
	return fmt.Errorf("%s still exists after delete", aws.ToString(id))
}
