terraform {
  required_version = ">= 1.8.0"

  required_providers {
    verda = {
      source  = "comfyume/verda"
      version = ">= 0.1.0"
    }
  }

  # State lives in PostgreSQL, which also locks it during plan and apply.
  # The connection is given at init time (partial configuration), e.g.
  #   tofu init -backend-config="conn_str=postgres://user@db.example/tofu_state"
  # or through the PG_CONN_STR environment variable.
  backend "pg" {}
}
