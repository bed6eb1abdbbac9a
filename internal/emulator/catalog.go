package emulator

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
)

// NOTE: prices, bandwidths and machine sizes in this file are plausible illustrations, not Verda's price
// list. Only the shapes, the type and location codes and the is_shared_fs flags follow the API.

// volumeType is an entry of GET /v1/volume-types.
type volumeType struct {
	Type                 string
	PricePerMonthPerGB   float64
	IsSharedFS           bool
	BurstBandwidth       float64
	ContinuousBandwidth  float64
	InternalNetworkSpeed float64
	ThroughputGbps       float64
	IOPS                 string
}

var volumeTypes = []volumeType{
	{Type: "NVMe", PricePerMonthPerGB: 0.2, BurstBandwidth: 2000, ContinuousBandwidth: 1000, InternalNetworkSpeed: 25, ThroughputGbps: 2, IOPS: "100000"},
	{Type: "HDD", PricePerMonthPerGB: 0.05, BurstBandwidth: 500, ContinuousBandwidth: 250, InternalNetworkSpeed: 25, ThroughputGbps: 0.5, IOPS: "2000"},
	{Type: "NVMe_Shared", PricePerMonthPerGB: 0.2, IsSharedFS: true, BurstBandwidth: 4000, ContinuousBandwidth: 2000, InternalNetworkSpeed: 100, ThroughputGbps: 4, IOPS: "50000"},
	{Type: "HDD_Shared", PricePerMonthPerGB: 0.06, IsSharedFS: true, BurstBandwidth: 1000, ContinuousBandwidth: 500, InternalNetworkSpeed: 100, ThroughputGbps: 1, IOPS: "5000"},
}

func findVolumeType(name string) (volumeType, bool) {
	for _, vt := range volumeTypes {
		if vt.Type == name {
			return vt, true
		}
	}
	return volumeType{}, false
}

func volumeTypeNames() string {
	names := make([]string, 0, len(volumeTypes))
	for _, vt := range volumeTypes {
		names = append(names, vt.Type)
	}
	return strings.Join(names, ", ")
}

type location struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	CountryCode string `json:"country_code"`
}

var locations = []location{
	{Code: "FIN-01", Name: "Finland 1", CountryCode: "FI"},
	{Code: "FIN-02", Name: "Finland 2", CountryCode: "FI"},
	{Code: "FIN-03", Name: "Finland 3", CountryCode: "FI"},
	{Code: "ICE-01", Name: "Iceland 1", CountryCode: "IS"},
}

const defaultLocation = "FIN-03"

func isLocation(code string) bool {
	return slices.ContainsFunc(locations, func(l location) bool { return l.Code == code })
}

func locationCodes() string {
	codes := make([]string, 0, len(locations))
	for _, l := range locations {
		codes = append(codes, l.Code)
	}
	return strings.Join(codes, ", ")
}

// gpuModel describes one serverless GPU model. TorchName is what torch.cuda.get_device_name() reports,
// which the fake ComfyUI puts into /system_stats.
type gpuModel struct {
	Name            string
	Description     string
	TorchName       string
	MemoryGB        int
	VRAMTotalBytes  int64
	CoresPerGPU     int
	RAMPerGPUGB     int
	PricePerGPUHour float64
	SpotPerGPUHour  float64
}

var gpuModels = []gpuModel{
	{Name: "H100", Description: "H100 SXM5 80GB", TorchName: "NVIDIA H100 80GB HBM3", MemoryGB: 80, VRAMTotalBytes: 84929216512, CoresPerGPU: 30, RAMPerGPUGB: 120, PricePerGPUHour: 2.29, SpotPerGPUHour: 1.14},
	{Name: "H200", Description: "H200 SXM5 141GB", TorchName: "NVIDIA H200", MemoryGB: 141, VRAMTotalBytes: 150109945856, CoresPerGPU: 44, RAMPerGPUGB: 185, PricePerGPUHour: 3.19, SpotPerGPUHour: 1.59},
	{Name: "B200", Description: "B200 SXM6 180GB", TorchName: "NVIDIA B200", MemoryGB: 180, VRAMTotalBytes: 191620972544, CoresPerGPU: 30, RAMPerGPUGB: 184, PricePerGPUHour: 3.99, SpotPerGPUHour: 1.99},
	{Name: "B300", Description: "B300 SXM6 288GB", TorchName: "NVIDIA B300 SXM6 AC", MemoryGB: 288, VRAMTotalBytes: 287755468800, CoresPerGPU: 30, RAMPerGPUGB: 275, PricePerGPUHour: 5.49, SpotPerGPUHour: 2.74},
	{Name: "A100", Description: "A100 SXM4 80GB", TorchName: "NVIDIA A100-SXM4-80GB", MemoryGB: 80, VRAMTotalBytes: 84974239744, CoresPerGPU: 22, RAMPerGPUGB: 120, PricePerGPUHour: 1.29, SpotPerGPUHour: 0.64},
	{Name: "L40S", Description: "L40S 48GB", TorchName: "NVIDIA L40S", MemoryGB: 48, VRAMTotalBytes: 47697362944, CoresPerGPU: 20, RAMPerGPUGB: 60, PricePerGPUHour: 1.09, SpotPerGPUHour: 0.54},
	{Name: "RTX 4500 Ada", Description: "RTX 4500 Ada 24GB", TorchName: "NVIDIA RTX 4500 Ada Generation", MemoryGB: 24, VRAMTotalBytes: 25386352640, CoresPerGPU: 10, RAMPerGPUGB: 40, PricePerGPUHour: 0.49, SpotPerGPUHour: 0.24},
}

func findGPUModel(name string) (gpuModel, bool) {
	for _, m := range gpuModels {
		if m.Name == name {
			return m, true
		}
	}
	return gpuModel{}, false
}

var computeSizes = []int{1, 2, 4, 8}

// defaultComputeResources lists every model at every size. All are available except B300.
func defaultComputeResources() []computeResource {
	var out []computeResource
	for _, m := range gpuModels {
		for _, size := range computeSizes {
			out = append(out, computeResource{Name: m.Name, Size: size, IsAvailable: m.Name != "B300"})
		}
	}
	return out
}

func (st *state) findCompute(name string, size int) (computeResource, bool) {
	for _, c := range st.compute {
		if c.Name == name && c.Size == size {
			return c, true
		}
	}
	return computeResource{}, false
}

func (st *state) setComputeAvailable(name string, size int, available bool) {
	st.touch()
	for i := range st.compute {
		if st.compute[i].Name == name && st.compute[i].Size == size {
			st.compute[i].IsAvailable = available
			return
		}
	}
	st.compute = append(st.compute, computeResource{Name: name, Size: size, IsAvailable: available})
}

// SetComputeAvailable marks a serverless compute resource available or not. Deployments on an unavailable
// resource end in quota_reached. A name and size pair that does not exist yet is added.
func (e *Emulator) SetComputeAvailable(name string, size int, available bool) {
	e.do(func(st *state) *apiError {
		st.setComputeAvailable(name, size, available)
		return nil
	})
}

// ---- handlers ----

type wireVolumeType struct {
	Type                 string          `json:"type"`
	Price                wireVolumePrice `json:"price"`
	IsSharedFS           bool            `json:"is_shared_fs"`
	BurstBandwidth       float64         `json:"burst_bandwidth"`
	ContinuousBandwidth  float64         `json:"continuous_bandwidth"`
	InternalNetworkSpeed float64         `json:"internal_network_speed"`
	ThroughputGbps       float64         `json:"throughput_gbps"`
	IOPS                 string          `json:"iops"`
}

type wireVolumePrice struct {
	PricePerMonthPerGB float64 `json:"price_per_month_per_gb"`
	CPSPerGB           float64 `json:"cps_per_gb"`
	Currency           string  `json:"currency"`
}

// eurPerUSD converts illustrative prices for ?currency=eur.
const eurPerUSD = 0.92

func currencyQuery(r *http.Request) (string, float64, *apiError) {
	switch currency := strings.ToLower(r.URL.Query().Get("currency")); currency {
	case "", "usd":
		return "usd", 1, nil
	case "eur":
		return "eur", eurPerUSD, nil
	default:
		return "", 0, badRequest("currency must be one of the following values: usd, eur (got %q)", currency)
	}
}

// handleVolumeTypes implements GET /v1/volume-types.
func (e *Emulator) handleVolumeTypes(r *http.Request) (response, *apiError) {
	currency, rate, err := currencyQuery(r)
	if err != nil {
		return errorResponse(err)
	}
	out := make([]wireVolumeType, 0, len(volumeTypes))
	for _, vt := range volumeTypes {
		monthly := vt.PricePerMonthPerGB * rate
		out = append(out, wireVolumeType{
			Type: vt.Type,
			Price: wireVolumePrice{
				PricePerMonthPerGB: roundPrice(monthly),
				CPSPerGB:           monthly / hoursPerMonth / 3600,
				Currency:           currency,
			},
			IsSharedFS:           vt.IsSharedFS,
			BurstBandwidth:       vt.BurstBandwidth,
			ContinuousBandwidth:  vt.ContinuousBandwidth,
			InternalNetworkSpeed: vt.InternalNetworkSpeed,
			ThroughputGbps:       vt.ThroughputGbps,
			IOPS:                 vt.IOPS,
		})
	}
	return jsonResponse(http.StatusOK, out)
}

// handleComputeResources implements GET /v1/serverless-compute-resources.
func (e *Emulator) handleComputeResources(*http.Request) (response, *apiError) {
	var out []computeResource
	e.read(func(st *state) { out = slices.Clone(st.compute) })
	if out == nil {
		out = []computeResource{}
	}
	return jsonResponse(http.StatusOK, out)
}

type wireContainerType struct {
	ID                  string            `json:"id"`
	Model               string            `json:"model"`
	Name                string            `json:"name"`
	InstanceType        string            `json:"instance_type"`
	CPU                 wireCPU           `json:"cpu"`
	GPU                 wireGPU           `json:"gpu"`
	GPUMemory           wireSizedResource `json:"gpu_memory"`
	Memory              wireSizedResource `json:"memory"`
	ServerlessPrice     float64           `json:"serverless_price"`
	ServerlessSpotPrice float64           `json:"serverless_spot_price"`
	Currency            string            `json:"currency"`
	Manufacturer        string            `json:"manufacturer"`
}

type wireCPU struct {
	Description   string `json:"description"`
	NumberOfCores int    `json:"number_of_cores"`
}

type wireGPU struct {
	Description  string `json:"description"`
	NumberOfGPUs int    `json:"number_of_gpus"`
}

type wireSizedResource struct {
	Description     string `json:"description"`
	SizeInGigabytes int    `json:"size_in_gigabytes"`
}

// handleContainerTypes implements GET /v1/container-types[?currency=usd|eur].
func (e *Emulator) handleContainerTypes(r *http.Request) (response, *apiError) {
	currency, rate, err := currencyQuery(r)
	if err != nil {
		return errorResponse(err)
	}
	var compute []computeResource
	e.read(func(st *state) { compute = slices.Clone(st.compute) })

	out := make([]wireContainerType, 0, len(compute))
	for _, c := range compute {
		m, ok := findGPUModel(c.Name)
		if !ok {
			continue
		}
		gpuMemory := m.MemoryGB * c.Size
		out = append(out, wireContainerType{
			ID:           stableID("container-type", fmt.Sprintf("%s/%d", c.Name, c.Size)),
			Model:        m.Name,
			Name:         m.Description,
			InstanceType: fmt.Sprintf("%d%s.%dS.%dV", c.Size, strings.ReplaceAll(m.Name, " ", ""), m.MemoryGB, m.CoresPerGPU*c.Size),
			CPU:          wireCPU{Description: fmt.Sprintf("%d CPU", m.CoresPerGPU*c.Size), NumberOfCores: m.CoresPerGPU * c.Size},
			GPU:          wireGPU{Description: fmt.Sprintf("%dx %s", c.Size, m.Description), NumberOfGPUs: c.Size},
			GPUMemory:    wireSizedResource{Description: fmt.Sprintf("%d GB GPU RAM", gpuMemory), SizeInGigabytes: gpuMemory},
			Memory: wireSizedResource{
				Description:     fmt.Sprintf("%d GB RAM", m.RAMPerGPUGB*c.Size),
				SizeInGigabytes: m.RAMPerGPUGB * c.Size,
			},
			ServerlessPrice:     math.Round(m.PricePerGPUHour*float64(c.Size)*rate*1e4) / 1e4,
			ServerlessSpotPrice: math.Round(m.SpotPerGPUHour*float64(c.Size)*rate*1e4) / 1e4,
			Currency:            currency,
			Manufacturer:        "NVIDIA",
		})
	}
	return jsonResponse(http.StatusOK, out)
}

// handleLocations implements GET /v1/locations.
func (e *Emulator) handleLocations(*http.Request) (response, *apiError) {
	return jsonResponse(http.StatusOK, locations)
}

// stableID derives a UUID-shaped id from a name, for catalog entries that must keep their id across runs.
func stableID(kind, name string) string {
	return uuidFromSeed(kind + "/" + name)
}

func quoteList(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(quoted, ", ")
}
