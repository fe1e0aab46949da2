using System.CommandLine;
using Vmm.Admin;
using Vmm.Network;

namespace Vmm.Cli;

/// <summary>The <c>vmm</c> command tree. Commands parse, call <see cref="Sandboxes.SandboxManager"/> or a kind, and print.</summary>
internal static class VmmCli
{
    /// <summary>The help text's description: what vmm makes and what the gateway must offer.</summary>
    public const string Description =
        "vmm: creates sandboxes (network namespaces, or microVMs) whose only way out is the egress gateway.\n\n"
        + "Each sandbox gets a /30 of 10.209.0.0/16 (host end .1, sandbox .2) and nftables chains in the table\n"
        + "inet egress_gateway: TCP 80/443 to any address are redirected to the gateway's transparent listeners,\n"
        + "UDP/TCP 53 to its DNS, the forward proxy port is open, and everything else (other ports, UDP, ICMP but\n"
        + "echo to the gateway, IPv6, spoofed sources, other sandboxes, the host's other addresses and services)\n"
        + "is dropped and counted. vmm learns the ports from the gateway's admin socket in the state directory, so\n"
        + "the gateway must run with listen.transparentHttp, listen.transparentTls and listen.dns on every address\n"
        + "(0.0.0.0:PORT): each sandbox reaches them on its own host end. listen.forward: 0.0.0.0:PORT adds\n"
        + "HTTP_PROXY for other ports. Kits given to create must also be in the gateway's kits: list.\n\n"
        + "Examples:\n"
        + "  vmm create dev --kit /etc/egress-gateway/kits/my-kit/spec.yaml\n"
        + "  vmm exec dev -- curl https://api.example.com/\n"
        + "  vmm ls --json\n"
        + "  vmm rm dev";

    /// <summary>Runs a command line; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var stateDir = new Option<string?>("--state-dir")
        {
            Description = "The gateway's state directory (admin socket; vmm keeps its records under vmm/). "
                + "Default: $GATEWAY_STATE_DIR, else /var/lib/egress-gateway as root, else ~/.local/state/egress-gateway",
            HelpName = "DIR",
            Recursive = true,
        };
        var context = new VmmContext(stateDir, output, error);
        var root = new RootCommand(Description)
        {
            stateDir,
            CreateCommand.Create(context),
            ExecCommand.Create(context),
            LsCommand.Create(context),
            RmCommand.Create(context),
            GcCommand.Create(context),
        };

        ParseResult result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (System.CommandLine.Parsing.ParseError parseError in result.Errors)
            {
                error.WriteLine("vmm: " + parseError.Message);
            }

            error.WriteLine("Run with --help for usage.");
            return ExitCodes.Usage;
        }

        try
        {
            return result.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (VmmException e)
        {
            error.WriteLine("vmm: " + e.Message);
            return e.ExitCode;
        }
        catch (Exception e) when (e is GatewayNotRunningException or HostCommandException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            error.WriteLine("vmm: " + e.Message);
            return ExitCodes.Failure;
        }
    }
}
