# a default that does not match the type.
# want: 16: Invalid value for variable
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
variable "hosts" {
  type    = list(string)
  default = "fe1"
}
