using System.CommandLine;

namespace Gateway.Cli.Ca;

/// <summary>`gateway ca …`: the local CA the gateway signs intercepted hosts' certificates with.</summary>
internal static class CaCommand
{
    /// <summary>The one line on stderr that says how a client comes to trust the CA.</summary>
    public const string TrustHint =
        "trust it in a sandbox with `curl --cacert FILE`, or copy it to /usr/local/share/ca-certificates/egress-gateway.crt and run update-ca-certificates";

    public static Command Create(CliContext context, GlobalOptions options) => new(
        "ca",
        "The local interception CA. The gateway terminates TLS only for hosts that need a credential "
        + "injected, presenting a short-lived certificate signed by this CA; sandboxes must trust it. "
        + "It is created on first start in {stateDir}/ca (key mode 0600).\n\n"
        + "Examples:\n"
        + "  gateway ca export > egress-gateway-ca.pem\n"
        + "  gateway ca rotate")
    {
        CaExportCommand.Create(context, options),
        CaRotateCommand.Create(context, options),
    };
}
