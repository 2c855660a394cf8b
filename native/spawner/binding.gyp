{
  "targets": [
    {
      "target_name": "shellstep_spawner",
      "sources": ["spawner.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"],
      "conditions": [["OS!='linux'", { "type": "none" }]]
    }
  ]
}
