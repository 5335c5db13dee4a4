// A tiny static test image for the cluster specs: an HTTP server that says who answered, and the
// client side (HTTP GET, DNS lookup) run from another pod. Go's own resolver reads the pod's
// /etc/resolv.conf, so a lookup goes through the cluster DNS like any application's would.
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(arg(2, ":8080"))
	case "get":
		err = get(arg(2, ""))
	case "lookup":
		err = lookup(arg(2, ""))
	case "cat":
		var data []byte
		if data, err = os.ReadFile(arg(2, "")); err == nil {
			_, err = os.Stdout.Write(data)
		}
	case "write":
		err = os.WriteFile(arg(2, ""), []byte(arg(3, "")), 0o644)
	case "sleep":
		waitForSignal()
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "probe:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: probe serve [ADDR] | get URL | lookup NAME | cat FILE | write FILE TEXT | sleep")
	os.Exit(2)
}

func arg(i int, def string) string {
	if len(os.Args) > i {
		return os.Args[i]
	}
	if def == "" {
		usage()
	}
	return def
}

func serve(addr string) error {
	host, _ := os.Hostname()
	srv := &http.Server{Addr: addr, ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) { fmt.Fprintf(w, "probe %s\n", host) })}
	go func() {
		waitForSignal()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}()
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		return err
	}
	return nil
}

func get(url string) error {
	client := &http.Client{Timeout: 10 * time.Second}
	res, err := client.Get(url)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<16))
	if err != nil {
		return err
	}
	fmt.Printf("%d %s", res.StatusCode, body)
	return nil
}

func lookup(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupHost(ctx, name)
	if err != nil {
		return err
	}
	for _, a := range addrs {
		fmt.Println(a)
	}
	return nil
}

// PID 1 in a container gets no default signal handling, so stop on TERM/INT explicitly.
func waitForSignal() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)
	<-ch
}
