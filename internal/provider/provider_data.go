package provider

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

// providerData is what Configure hands to every resource and data source.
type providerData struct {
	client       *verda.Client
	pollInterval time.Duration

	catalogMu       sync.Mutex
	computeCatalog  []verda.ComputeResource
	volumeTypeCache []verda.VolumeType

	secretNameCache         map[string]bool
	registryCredentialCache map[string]bool

	deploymentList deploymentListCache
}

func newProviderData(client *verda.Client, pollInterval time.Duration) *providerData {
	return &providerData{client: client, pollInterval: pollInterval}
}

// computeResources returns the serverless compute list, read once per
// provider process: plan-time checks of many resources share one call.
func (d *providerData) computeResources(ctx context.Context) ([]verda.ComputeResource, error) {
	d.catalogMu.Lock()
	defer d.catalogMu.Unlock()
	if d.computeCatalog != nil {
		return d.computeCatalog, nil
	}
	list, err := d.client.ListComputeResources(ctx)
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []verda.ComputeResource{}
	}
	d.computeCatalog = list
	return list, nil
}

// volumeTypes returns the volume type list, read once per provider process.
func (d *providerData) volumeTypes(ctx context.Context) ([]verda.VolumeType, error) {
	d.catalogMu.Lock()
	defer d.catalogMu.Unlock()
	if d.volumeTypeCache != nil {
		return d.volumeTypeCache, nil
	}
	list, err := d.client.ListVolumeTypes(ctx)
	if err != nil {
		return nil, err
	}
	if list == nil {
		list = []verda.VolumeType{}
	}
	d.volumeTypeCache = list
	return list, nil
}

// providerDataFrom converts the ProviderData of a Configure request. It
// returns nil without a diagnostic while the provider is not configured yet
// (during validation).
func providerDataFrom(data any, diags *diag.Diagnostics) *providerData {
	if data == nil {
		return nil
	}
	pd, ok := data.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", data))
		return nil
	}
	return pd
}

// deploymentListTTL bounds how long one list of deployments serves reads.
// A refresh reads every deployment of a configuration at about the same
// time, so one list call serves all of them. This provider's own changes
// drop the list at once (forgetDeployments), so the TTL only bounds how
// stale a view of changes made elsewhere can be within one command.
const deploymentListTTL = 30 * time.Second

// deploymentListCache shares one GET /container-deployments among the
// concurrent reads of a plan. Its zero value is ready to use.
type deploymentListCache struct {
	mu sync.Mutex
	// current is the running or last finished fetch; nil when there is none
	// or it was dropped.
	current *deploymentFetch
}

// deploymentFetch is one list call; done is closed when it ends.
type deploymentFetch struct {
	done      chan struct{}
	fetchedAt time.Time
	byName    map[string]verda.ContainerDeployment
	err       error
}

// listedDeployment returns the named deployment from a list of all
// deployments fetched at most deploymentListTTL ago, fetching one when there
// is none. Callers that arrive while a fetch runs wait for it. found is false
// when the list does not contain the name. The caller should then read the
// deployment directly, because it may have been created after the list.
func (d *providerData) listedDeployment(ctx context.Context, name string) (dep *verda.ContainerDeployment, found bool, err error) {
	c := &d.deploymentList
	c.mu.Lock()
	f := c.current
	if f != nil && !f.fetchedAt.IsZero() && time.Since(f.fetchedAt) > deploymentListTTL {
		f = nil
	}
	if f == nil {
		f = &deploymentFetch{done: make(chan struct{})}
		c.current = f
		c.mu.Unlock()
		d.fetchDeployments(ctx, f)
	} else {
		c.mu.Unlock()
	}

	select {
	case <-f.done:
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
	if f.err != nil {
		return nil, false, f.err
	}
	listed, ok := f.byName[name]
	if !ok {
		return nil, false, nil
	}
	return &listed, true, nil
}

func (d *providerData) fetchDeployments(ctx context.Context, f *deploymentFetch) {
	list, err := d.client.ListDeployments(ctx)

	c := &d.deploymentList
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		f.err = err
		// A failed fetch is not kept: the next read tries again.
		if c.current == f {
			c.current = nil
		}
	} else {
		f.byName = make(map[string]verda.ContainerDeployment, len(list))
		for _, dep := range list {
			f.byName[dep.Name] = dep
		}
		f.fetchedAt = time.Now()
	}
	close(f.done)
}

// forgetDeployments drops the cached list after this provider changed a
// deployment, so that no later read returns the state from before the change.
func (d *providerData) forgetDeployments() {
	d.deploymentList.mu.Lock()
	defer d.deploymentList.mu.Unlock()
	d.deploymentList.current = nil
}

// secretNames returns the names of the account's environment secrets, read
// once per provider process.
func (d *providerData) secretNames(ctx context.Context) (map[string]bool, error) {
	d.catalogMu.Lock()
	defer d.catalogMu.Unlock()
	if d.secretNameCache != nil {
		return d.secretNameCache, nil
	}
	list, err := d.client.ListSecrets(ctx)
	if err != nil {
		return nil, err
	}
	names := make(map[string]bool, len(list))
	for _, s := range list {
		names[s.Name] = true
	}
	d.secretNameCache = names
	return names, nil
}

// registryCredentialNames returns the names of the account's container
// registry credentials, read once per provider process.
func (d *providerData) registryCredentialNames(ctx context.Context) (map[string]bool, error) {
	d.catalogMu.Lock()
	defer d.catalogMu.Unlock()
	if d.registryCredentialCache != nil {
		return d.registryCredentialCache, nil
	}
	list, err := d.client.ListRegistryCredentials(ctx)
	if err != nil {
		return nil, err
	}
	names := make(map[string]bool, len(list))
	for _, c := range list {
		names[c.Name] = true
	}
	d.registryCredentialCache = names
	return names, nil
}
