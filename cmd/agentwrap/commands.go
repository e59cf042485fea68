package main

import "github.com/urfave/cli/v2"

// commands lists the subcommands; each lives in its own file.
func commands() []*cli.Command {
	return []*cli.Command{
		agentsCommand(),
		collectorCommand(),
		contractCommand(),
		exportCommand(),
		reportCommand(),
		runsCommand(),
		smokeCommand(),
		versionCommand(),
		validateCommand(),
	}
}

// versionCommand prints the version, like --version.
func versionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the version",
		Action: func(c *cli.Context) error {
			cli.ShowVersion(c)
			return nil
		},
	}
}
