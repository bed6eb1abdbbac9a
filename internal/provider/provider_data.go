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
