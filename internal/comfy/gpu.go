package comfy

import "strings"

// gpuNames maps Verda serverless compute names to the marketing name that
// torch.cuda.get_device_name reports and ComfyUI shows in /system_stats
// device names (for example "cuda:0 NVIDIA H200 : cudaMallocAsync").
var gpuNames = map[string]string{
	"H200":         "H200",
	"H100":         "H100",
	"B200":         "B200",
	"B300":         "B300",
	"A100":         "A100",
	"L40S":         "L40S",
	"RTX 4500 Ada": "RTX 4500 Ada",
	"RTX4500Ada":   "RTX 4500 Ada",
	"RTX 6000 Ada": "RTX 6000 Ada",
	"RTX PRO 6000": "RTX PRO 6000",
}

// ExpectedGPUName returns the substring that a device name must contain for
// a compute type. Names are matched as substrings because variants add
// suffixes ("NVIDIA H200 NVL", "NVIDIA B300 SXM6 AC", MIG profiles).
func ExpectedGPUName(computeName string) string {
	if n, ok := gpuNames[computeName]; ok {
		return n
	}
	return strings.TrimSpace(computeName)
}
