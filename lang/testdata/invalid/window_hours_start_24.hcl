# a window starting at 24:00.
# want: 16: Invalid window hours
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
  window "night" {
    hours = "24:00-08:00"
  }
}
