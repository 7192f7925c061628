# copy_bandwidth without "/s" is a size, not a rate.
# want: 16: Invalid copy bandwidth
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
  exports        = 2
  copy_bandwidth = "200MiB"
}
