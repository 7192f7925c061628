# hours in 12-hour notation.
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
    hours = "8pm-8am"
  }
}
