package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/comfyume/terraform-provider-verda/internal/verda"
)

// Descriptions of the attributes that the verda_sfs resource and data source share.
const (
	sfsDescID                 = "ID of the volume, a UUID assigned by the Verda API."
	sfsDescName               = "Name of the SFS. Names need not be unique in the Verda API."
	sfsDescSize               = "Size of the SFS in GB."
	sfsDescType               = "Volume type, one that the API's `/volume-types` list marks as a shared filesystem, such as `NVMe_Shared`."
	sfsDescLocation           = "Location code of the data center, such as `FIN-03`."
	sfsDescStatus             = "Status reported by the API, such as `ordered`, `cloning` or `created`."
	sfsDescCreatedAt          = "Creation time as the API reports it (RFC 3339)."
	sfsDescPseudoPath         = "NFS export path of the SFS, such as `volume-1a2b3c4d`."
	sfsDescMountCommand       = "Shell command that mounts the SFS over NFS on an instance."
	sfsDescCreateDirCommand   = "Shell command that creates the mount point used by `mount_command`."
	sfsDescFstabCommand       = "Shell command that adds the SFS to `/etc/fstab` once, so that it is mounted at boot."
	sfsDescInstanceIDs        = "IDs of the instances the SFS is attached to. Container deployments that mount it are not listed here."
	sfsDescMonthlyPrice       = "Monthly price of the SFS at its current size, in `currency`."
	sfsDescCurrency           = "Currency of `monthly_price`, such as `usd`."
	sfsNamePrefix             = "name:"
	sfsResourceTypeName       = "verda_sfs"
	sfsDefaultType            = "NVMe_Shared"
	sfsMaxNamesInDiagnostic   = 20
	sfsMaxDeploymentsInDetail = 20
)

// sfsVolumeModel is the part of a verda_sfs state that the API reports. The
// resource and the data source embed it.
type sfsVolumeModel struct {
	ID                       types.String  `tfsdk:"id"`
	Name                     types.String  `tfsdk:"name"`
	Size                     types.Int64   `tfsdk:"size"`
	Type                     types.String  `tfsdk:"type"`
	Location                 types.String  `tfsdk:"location"`
	Status                   types.String  `tfsdk:"status"`
	CreatedAt                types.String  `tfsdk:"created_at"`
	PseudoPath               types.String  `tfsdk:"pseudo_path"`
	MountCommand             types.String  `tfsdk:"mount_command"`
	CreateDirectoryCommand   types.String  `tfsdk:"create_directory_command"`
	FilesystemToFstabCommand types.String  `tfsdk:"filesystem_to_fstab_command"`
	InstanceIDs              types.List    `tfsdk:"instance_ids"`
	MonthlyPrice             types.Float64 `tfsdk:"monthly_price"`
	Currency                 types.String  `tfsdk:"currency"`
}

// setFromVolume copies every API-reported value of v into m.
func (m *sfsVolumeModel) setFromVolume(ctx context.Context, v *verda.Volume) diag.Diagnostics {
	m.ID = types.StringValue(v.ID)
	m.Name = types.StringValue(v.Name)
	m.Size = types.Int64Value(v.Size)
	m.Type = types.StringValue(v.Type)
	m.Location = sfsOptionalString(v.Location)
	m.Status = types.StringValue(v.Status)
	m.CreatedAt = sfsOptionalString(v.CreatedAt)
	m.PseudoPath = sfsOptionalString(v.PseudoPath)
	m.MountCommand = sfsOptionalString(v.MountCommand)
	m.CreateDirectoryCommand = sfsOptionalString(v.CreateDirectoryCommand)
	m.FilesystemToFstabCommand = sfsOptionalString(v.FilesystemToFstabCommand)
	m.MonthlyPrice = types.Float64Value(float64(v.MonthlyPrice))
	m.Currency = sfsOptionalString(v.Currency)

	ids := v.InstanceIDs()
	if ids == nil {
		ids = []string{}
	}
	list, diags := types.ListValueFrom(ctx, types.StringType, ids)
	m.InstanceIDs = list
	return diags
}

// nullUnknowns replaces the values that are still unknown with null, so that
// a state saved before the API has reported them is wholly known.
func (m *sfsVolumeModel) nullUnknowns() {
	for _, s := range []*types.String{&m.ID, &m.Name, &m.Type, &m.Location, &m.Status, &m.CreatedAt, &m.PseudoPath,
		&m.MountCommand, &m.CreateDirectoryCommand, &m.FilesystemToFstabCommand, &m.Currency} {
		if s.IsUnknown() {
			*s = types.StringNull()
		}
	}
	if m.Size.IsUnknown() {
		m.Size = types.Int64Null()
	}
	if m.MonthlyPrice.IsUnknown() {
		m.MonthlyPrice = types.Float64Null()
	}
	if m.InstanceIDs.IsUnknown() {
		m.InstanceIDs = types.ListNull(types.StringType)
	}
}

// sfsOptionalString maps the empty string, which the client decodes from a
// missing or null field, to null.
func sfsOptionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// sfsTypeIsShared reports whether the volume type list marks typeName as a
// shared filesystem.
func sfsTypeIsShared(list []verda.VolumeType, typeName string) bool {
	for _, t := range list {
		if t.Type == typeName {
			return t.IsSharedFS
		}
	}
	return false
}

// sfsSharedTypeNames returns the sorted names of the shared filesystem types.
func sfsSharedTypeNames(list []verda.VolumeType) []string {
	var names []string
	for _, t := range list {
		if t.IsSharedFS {
			names = append(names, t.Type)
		}
	}
	sort.Strings(names)
	return names
}

// sfsFindByName returns the shared filesystems named name, and the names of
// all shared filesystems for error messages. Block volumes are ignored.
func sfsFindByName(ctx context.Context, pd *providerData, name string) (matches []verda.Volume, allNames []string, err error) {
	typeList, err := pd.volumeTypes(ctx)
	if err != nil {
		return nil, nil, err
	}

	volumes, err := pd.client.ListVolumes(ctx)

	if err != nil {
		return nil, nil, err
	}

	for _, v := range volumes {
		if !sfsTypeIsShared(typeList, v.Type) {
			continue
		}
		allNames = append(allNames, v.Name)
		if v.Name == name {
			matches = append(matches, v)
		}
	}
	sort.Strings(allNames)
	return matches, allNames, nil
}

// sfsVolumeIDs returns the ids of volumes, for error messages.
func sfsVolumeIDs(volumes []verda.Volume) []string {
	ids := make([]string, 0, len(volumes))
	for _, v := range volumes {
		ids = append(ids, v.ID)
	}
	sort.Strings(ids)
	return ids
}

// sfsMountingDeployments returns the sorted names of the container
// deployments that mount the volume id as a shared filesystem.
func sfsMountingDeployments(ctx context.Context, client *verda.Client, id string) ([]string, error) {
	deployments, err := client.ListDeployments(ctx)

	if err != nil {
		return nil, err
	}

	var names []string
	for _, d := range deployments {
		if sfsDeploymentMounts(d, id) {
			names = append(names, d.Name)
		}
	}
	sort.Strings(names)
	return names, nil
}

func sfsDeploymentMounts(d verda.ContainerDeployment, id string) bool {
	for _, c := range d.Containers {
		for _, m := range c.VolumeMounts {
			// Only shared mounts carry a volume id.
			if m.VolumeID == id {
				return true
			}
		}
	}
	return false
}

// sfsQuoteList renders names as `"a", "b"`, cut after limit entries.
func sfsQuoteList(names []string, limit int) string {
	quoted := make([]string, 0, len(names))
	for i, n := range names {
		if i == limit {
			quoted = append(quoted, fmt.Sprintf("and %d more", len(names)-limit))
			break
		}
		quoted = append(quoted, `"`+n+`"`)
	}
	return strings.Join(quoted, ", ")
}
