variable "secret" {
  type      = string
  sensitive = true
  default   = "s3cr3t"
}
resource "terraform_data" "web" {
  count = 2
  input = { name = "web-${count.index}-b", tags = { owner = var.secret } }
  triggers_replace = count.index == 1 ? "r" : null
}
output "first" {
  value = terraform_data.web[0].output
}
