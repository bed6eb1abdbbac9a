# Adopt the live deployments by name. The first apply imports them and then
# fixes their drift in place; once they are in state these blocks do nothing.
import {
  for_each = var.deployments
  to       = module.comfy[each.key].verda_comfy_deployment.this
  id       = each.key
}
