// The helper local-path-provisioner runs in a pod to create or delete a volume's directory on the
// node (its setupCommand/teardownCommand), so the helper image needs no shell: it is this one
// static binary. Arguments are the provisioner's: -p PATH -s SIZE -m MODE -a create|delete.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	path := flag.String("p", "", "volume directory")
	flag.String("s", "", "size in bytes (unused: directories have no size)")
	mode := flag.String("m", "Filesystem", "volume mode")
	action := flag.String("a", "", "create or delete")
	flag.Parse()
	if err := run(*path, *mode, *action); err != nil {
		fmt.Fprintln(os.Stderr, "volume-helper:", err)
		os.Exit(1)
	}
}

func run(path, mode, action string) error {
	if !filepath.IsAbs(path) || filepath.Clean(path) == "/" {
		return fmt.Errorf("refusing volume path %q", path)
	}
	if mode != "Filesystem" {
		return fmt.Errorf("volume mode %q is not supported", mode)
	}
	switch action {
	case "create":
		if err := os.MkdirAll(path, 0o777); err != nil {
			return err
		}
		// MkdirAll applies the umask; the provisioner's own script does `mkdir -m 0777`.
		return os.Chmod(path, 0o777)
	case "delete":
		return os.RemoveAll(path)
	default:
		return fmt.Errorf("unknown action %q", action)
	}
}
