using System.CommandLine;

namespace Gateway.Cli;

/// <summary>`gateway run`: the daemon. Not built yet, and it says so rather than pretending.</summary>
internal static class RunCommand
{
    public static Command Create(CliContext context)
    {
        var config = new Option<string?>("--config") { Description = "YAML configuration file", HelpName = "FILE" };
        var command = new Command(
            "run",
            "Run the gateway daemon.\n\nExample:\n  gateway run --config /etc/egress-gateway/gateway.yaml")
        {
            config,
        };
        command.SetAction(_ =>
        {
            context.Error.WriteLine(
                "gateway: run: the daemon is not in this build yet (it arrives with the forward proxy); "
                + "`gateway policy …` already manages the policy it will enforce");
            return ExitCodes.Failure;
        });
        return command;
    }
}
