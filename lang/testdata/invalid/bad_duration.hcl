# a timeout that is not a Go duration.
# want: 17: Invalid duration
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
source "starrocks" "other" {
  hosts           = ["fe3"]
  user            = "root"
  connect_timeout = "10 seconds"
}
