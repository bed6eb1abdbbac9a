package provider

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

// providerData is the client and shared caches that Configure hands to every
// resource and data source.
type providerData struct {
	client       *verda.Client
	pollInterval time.Duration

	catalogMu       sync.Mutex
	computeCatalog  []verda.ComputeResource
	volumeTypeCache []verda.VolumeType

	secretNameCache         map[string]bool
	registryCredentialCache map[string]bool

	// Shared list calls that serve the reads of a plan.
	deploymentList listCache[verda.ContainerDeployment]
	volumeList     listCache[verda.Volume]
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

// listedDeployment returns the named deployment from a list of all
// deployments, fetched once and shared by the concurrent reads of a plan.
// found is false when the list does not contain the name. The caller should
// then read the deployment directly, because it may have been created after
// the list.
func (d *providerData) listedDeployment(ctx context.Context, name string) (dep *verda.ContainerDeployment, found bool, err error) {
	return d.deploymentList.get(ctx, name, d.client.ListDeployments,
		func(dep verda.ContainerDeployment) string { return dep.Name })
}

// forgetDeployments drops the cached list after this provider changed a
// deployment, so that no later read returns the state from before the change.
func (d *providerData) forgetDeployments() { d.deploymentList.forget() }

// listedVolume returns the volume with the given id from a shared list of
// all volumes, like listedDeployment. found is false when the list does not
// contain the id; the volume may be newer than the list, or in the trash.
func (d *providerData) listedVolume(ctx context.Context, id string) (vol *verda.Volume, found bool, err error) {
	return d.volumeList.get(ctx, id, d.client.ListVolumes,
		func(v verda.Volume) string { return v.ID })
}

// forgetVolumes drops the cached volume list after this provider changed a volume.
func (d *providerData) forgetVolumes() { d.volumeList.forget() }

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
