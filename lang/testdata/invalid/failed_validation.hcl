# a default that fails its validation rule.
# want: 18: Invalid value for variable
source "starrocks" "old" {
  hosts = ["fe1:9030"]
  user  = "root"
}
target "starrocks" "new" {
  hosts = ["fe2:9030"]
  user  = "root"
}
storage "local" "stage" {
  path = "./stage"
}
variable "parts" {
  type    = number
  default = 3
  validation {
    condition     = var.parts % 2 == 0
    error_message = "parts must be even."
  }
}
