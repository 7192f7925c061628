# two windows with the same name.
# want: 18: Duplicate window block
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
    hours = "20:00-08:00"
  }
  window "night" {
    hours = "22:00-06:00"
  }
}
