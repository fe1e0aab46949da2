using Gateway.Cli;
using Gateway.Configuration;

namespace Gateway.Tests.Cli;

/// <summary>Runs `gateway --state-dir DIR …` in-process with stdout and stderr kept apart, as a shell would see them.</summary>
internal static class CliRun
{
    public static (int Exit, string Stdout, string Stderr) Run(string stateDir, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = GatewayCli.Run(["--state-dir", stateDir, .. args], new CliContext
        {
            Out = stdout,
            Error = stderr,
            In = TextReader.Null,
            InteractiveInput = false,
            Environment = ConfigLoader.NoEnvironment,
        });
        return (exit, stdout.ToString(), stderr.ToString());
    }
}
