using System.CommandLine;
using Gateway.Configuration;
using Gateway.Policy;

namespace Gateway.Cli;

/// <summary>Options every command takes, and what they resolve to.</summary>
internal sealed class GlobalOptions
{
    public Option<string?> StateDir { get; } = new("--state-dir")
    {
        Description = "State directory (policy store, admin socket, audit log). Default: $GATEWAY_STATE_DIR, "
            + "else /var/lib/egress-gateway as root, else ~/.local/state/egress-gateway",
        HelpName = "DIR",
        Recursive = true,
    };

    public Option<string?> Config { get; } = new("--config")
    {
        Description = "Gateway configuration (YAML): supplies policy.initialDefault, kits and static sandboxes. "
            + "Default: the embedded configuration",
        HelpName = "FILE",
        Recursive = true,
    };

    /// <summary>The configuration, validated; every problem stops the command, one line each.</summary>
    public GatewayConfig LoadConfig(ParseResult result, CliContext context)
    {
        var errors = new List<string>();
        var options = new ConfigLoadOptions { StateDirOption = result.GetValue(StateDir) };
        if (ConfigLoader.TryLoad(result.GetValue(Config), context.Environment, options, out GatewayConfig config, errors))
        {
            return config;
        }

        throw new CliException(string.Join(Environment.NewLine + "gateway: ", errors));
    }

    public PolicyStore OpenStore(GatewayConfig config) => new(config.StateDir);
}
