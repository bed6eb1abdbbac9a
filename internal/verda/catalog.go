package verda

import "context"

// ComputeResource is a serverless GPU type at one size and whether it can be
// had now.
type ComputeResource struct {
	Name        string `json:"name"`
	Size        int64  `json:"size"`
	IsAvailable bool   `json:"is_available"`
}

// VolumeType describes a storage type and its price.
type VolumeType struct {
	Type                 string          `json:"type"`
	Price                VolumeTypePrice `json:"price"`
	IsSharedFS           bool            `json:"is_shared_fs"`
	BurstBandwidth       FlexFloat       `json:"burst_bandwidth"`
	ContinuousBandwidth  FlexFloat       `json:"continuous_bandwidth"`
	InternalNetworkSpeed FlexFloat       `json:"internal_network_speed"`
	ThroughputGbps       FlexFloat       `json:"throughput_gbps"`
	IOPS                 string          `json:"iops"`
}

// VolumeTypePrice is a volume type's price. Older responses name the monthly
// price monthly_per_gb.
type VolumeTypePrice struct {
	PricePerMonthPerGB FlexFloat `json:"price_per_month_per_gb"`
	MonthlyPerGB       FlexFloat `json:"monthly_per_gb"`
	CPSPerGB           FlexFloat `json:"cps_per_gb"`
	Currency           string    `json:"currency"`
}

// MonthlyPerGB returns the monthly price per GB from whichever key was sent.
func (p VolumeTypePrice) PerGBMonth() float64 {
	if p.PricePerMonthPerGB != 0 {
		return float64(p.PricePerMonthPerGB)
	}
	return float64(p.MonthlyPerGB)
}

// Location is a data center.
type Location struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	CountryCode string `json:"country_code"`
}

// Secret is a stored secret; its value is never returned.
type Secret struct {
	Name       string `json:"name"`
	CreatedAt  string `json:"created_at"`
	SecretType string `json:"secret_type"`
}

// RegistryCredential is a stored container registry credential; its secret
// parts are never returned.
type RegistryCredential struct {
	Name      string `json:"name"`
	CreatedAt string `json:"created_at"`
}

// ListComputeResources returns the serverless GPU types and sizes.
func (c *Client) ListComputeResources(ctx context.Context) ([]ComputeResource, error) {
	var out []ComputeResource
	err := c.do(ctx, call{operation: "list serverless compute resources", method: "GET", path: "/serverless-compute-resources", out: &out})
	return out, err
}

// ListVolumeTypes returns the storage types.
func (c *Client) ListVolumeTypes(ctx context.Context) ([]VolumeType, error) {
	var out []VolumeType
	err := c.do(ctx, call{operation: "list volume types", method: "GET", path: "/volume-types", out: &out})
	return out, err
}

// ListLocations returns the data centers.
func (c *Client) ListLocations(ctx context.Context) ([]Location, error) {
	var out []Location
	err := c.do(ctx, call{operation: "list locations", method: "GET", path: "/locations", out: &out})
	return out, err
}

// ListSecrets returns the account's secrets, without values.
func (c *Client) ListSecrets(ctx context.Context) ([]Secret, error) {
	var out []Secret
	err := c.do(ctx, call{operation: "list secrets", method: "GET", path: "/secrets", out: &out})
	return out, err
}

// ListRegistryCredentials returns the account's registry credentials, without secrets.
func (c *Client) ListRegistryCredentials(ctx context.Context) ([]RegistryCredential, error) {
	var out []RegistryCredential
	err := c.do(ctx, call{operation: "list container registry credentials", method: "GET", path: "/container-registry-credentials", out: &out})
	return out, err
}
