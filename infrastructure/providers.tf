# Credentials come from VERDA_CLIENT_ID, VERDA_CLIENT_SECRET and
# VERDA_BASE_URL, the variables the verda-cloud/verda provider reads too, and
# the health-probe key from VERDA_INFERENCE_API_KEY.
provider "verda" {
  # Plan and apply only from a fresh testing server: its provisioning writes
  # the marker file (default /etc/verda/testing-instance).
  require_testing_instance = true
  forbidden_hostnames      = var.forbidden_hostnames
}
