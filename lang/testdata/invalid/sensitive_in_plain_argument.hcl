# a sensitive variable used for a non-secret argument.
# want: 20: Sensitive value in a non-secret argument
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
variable "user" {
  default   = "root"
  sensitive = true
}
target "starrocks" "other" {
  hosts = ["fe3"]
  user  = var.user
}
