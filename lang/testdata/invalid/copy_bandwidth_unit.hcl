# copy_bandwidth with a unit srplan does not know.
# want: 15: Invalid copy bandwidth
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
throttle "default" {
  copy_bandwidth = "200Mbit/s"
}
