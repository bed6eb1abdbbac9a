package verda

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

func deploymentObject(name string) string { return fmt.Sprintf("container deployment %q", name) }

func deploymentPath(name string, sub ...string) string {
	p := "/container-deployments/" + escape(name)
	for _, s := range sub {
		p += "/" + s
	}
	return p
}

// ListDeployments returns every container deployment of the account.
func (c *Client) ListDeployments(ctx context.Context) ([]ContainerDeployment, error) {
	var out []ContainerDeployment
	err := c.do(ctx, call{operation: "list container deployments", method: "GET", path: "/container-deployments", out: &out})
	return out, err
}

// GetDeployment returns one deployment; a missing one is ErrNotFound.
func (c *Client) GetDeployment(ctx context.Context, name string) (*ContainerDeployment, error) {
	var out ContainerDeployment
	err := c.do(ctx, call{operation: "read", object: deploymentObject(name), method: "GET", path: deploymentPath(name), out: &out})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateDeployment creates a deployment. It is not retried after the request
// may have reached the API: on an ambiguous failure the caller must look the
// name up before trying again.
func (c *Client) CreateDeployment(ctx context.Context, req CreateDeploymentRequest) (*ContainerDeployment, error) {
	var out ContainerDeployment
	err := c.do(ctx, call{
		operation: "create", object: deploymentObject(req.Name),
		method: "POST", path: "/container-deployments", body: req, out: &out,
		retry: retryUnsafe,
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateDeployment patches a deployment. A PATCH sets absolute values, so
// repeating it is safe.
func (c *Client) UpdateDeployment(ctx context.Context, name string, req UpdateDeploymentRequest) (*ContainerDeployment, error) {
	var out ContainerDeployment
	err := c.do(ctx, call{
		operation: "update", object: deploymentObject(name),
		method: "PATCH", path: deploymentPath(name), body: req, out: &out,
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// MaxDeleteTimeout is the longest server-side wait a delete may ask for.
const MaxDeleteTimeout = 300 * time.Second

// DeleteDeployment deletes a deployment, asking the API to wait up to
// timeout (at most MaxDeleteTimeout; zero means do not wait) for teardown.
func (c *Client) DeleteDeployment(ctx context.Context, name string, timeout time.Duration) error {
	timeout = min(max(timeout, 0), MaxDeleteTimeout)
	return c.do(ctx, call{
		operation: "delete", object: deploymentObject(name),
		method: "DELETE", path: deploymentPath(name),
		query: url.Values{"timeout": {strconv.FormatInt(timeout.Milliseconds(), 10)}},
	})
}

// GetDeploymentStatus returns the deployment's status, such as StatusHealthy.
func (c *Client) GetDeploymentStatus(ctx context.Context, name string) (string, error) {
	var out struct {
		Status string `json:"status"`
	}
	err := c.do(ctx, call{operation: "read status of", object: deploymentObject(name), method: "GET", path: deploymentPath(name, "status"), out: &out})
	return out.Status, err
}

// GetScaling returns the deployment's scaling configuration.
func (c *Client) GetScaling(ctx context.Context, name string) (*Scaling, error) {
	var out Scaling
	err := c.do(ctx, call{operation: "read scaling of", object: deploymentObject(name), method: "GET", path: deploymentPath(name, "scaling"), out: &out})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateScaling patches the scaling configuration; the API merges the fields
// that are set.
func (c *Client) UpdateScaling(ctx context.Context, name string, req Scaling) (*Scaling, error) {
	var out Scaling
	err := c.do(ctx, call{operation: "update scaling of", object: deploymentObject(name), method: "PATCH", path: deploymentPath(name, "scaling"), body: req, out: &out})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// GetReplicas lists the deployment's replicas.
func (c *Client) GetReplicas(ctx context.Context, name string) ([]Replica, error) {
	var out struct {
		List []Replica `json:"list"`
	}
	err := c.do(ctx, call{operation: "list replicas of", object: deploymentObject(name), method: "GET", path: deploymentPath(name, "replicas"), out: &out})
	return out.List, err
}

// RestartDeployment restarts every replica.
func (c *Client) RestartDeployment(ctx context.Context, name string) error {
	return c.deploymentAction(ctx, name, "restart")
}

// PauseDeployment stops the deployment without deleting it.
func (c *Client) PauseDeployment(ctx context.Context, name string) error {
	return c.deploymentAction(ctx, name, "pause")
}

// ResumeDeployment starts a paused deployment again.
func (c *Client) ResumeDeployment(ctx context.Context, name string) error {
	return c.deploymentAction(ctx, name, "resume")
}

// PurgeQueue drops every queued request of the deployment.
func (c *Client) PurgeQueue(ctx context.Context, name string) error {
	return c.deploymentAction(ctx, name, "purge-queue")
}

// deploymentAction posts a body-less action. Repeating one of them has the
// same effect as sending it once, so they are retried like idempotent calls.
func (c *Client) deploymentAction(ctx context.Context, name, action string) error {
	return c.do(ctx, call{operation: action, object: deploymentObject(name), method: "POST", path: deploymentPath(name, action)})
}
