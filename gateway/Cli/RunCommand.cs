using System.CommandLine;
using Gateway.Configuration;
using Gateway.Hosting;
using Microsoft.AspNetCore.Builder;

namespace Gateway.Cli;

/// <summary>`gateway run`: the daemon, in the foreground until Ctrl-C or SIGTERM.</summary>
internal static class RunCommand
{
    public static Command Create(CliContext context, GlobalOptions options)
    {
        var command = new Command(
            "run",
            "Run the gateway daemon in the foreground. With no --config it serves the forward proxy on "
            + "127.0.0.1:3128 with the Balanced policy. Stops on Ctrl-C or SIGTERM, letting tunnels drain up to "
            + $"{GatewayHost.DrainTimeout.TotalSeconds:0}s.\n\n"
            + "Examples:\n  gateway run\n  gateway run --config /etc/egress-gateway/gateway.yaml\n"
            + "  GATEWAY__LISTEN__FORWARD=127.0.0.1:3129 gateway run");
        var logFormat = new Option<string>("--log-format")
        {
            Description = "plain (for a terminal, the default) or json (one JSON object per line, for collectors)",
            HelpName = "FORMAT",
            DefaultValueFactory = _ => "plain",
        }.AcceptOnlyFromAmong("plain", "json");
        command.Add(logFormat);
        command.SetAction(async (result, cancellation) =>
        {
            GatewayConfig config = options.LoadConfig(result, context);

            // Before the first socket exists: the runtime reads the switch once.
            InlineIo.EnableUnlessSet();
            var errors = new List<string>();
            WebApplication? app = GatewayHost.Build(config, errors, GatewayHost.ConsoleLogging(result.GetValue(logFormat) == "json"));
            if (app is null)
            {
                throw new CliException(string.Join(Environment.NewLine + "gateway: ", errors));
            }

            await using (app.ConfigureAwait(false))
            {
                try
                {
                    await app.RunAsync().ConfigureAwait(false);
                }
                catch (IOException e)
                {
                    // Kestrel reports a taken port as an IOException; say which listener.
                    throw new CliException($"cannot listen: {e.Message}; pick other addresses under listen: in the config");
                }
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
