using System.CommandLine;
using Gateway.Configuration;
using Gateway.Interception.Certificates;

namespace Gateway.Cli.Ca;

/// <summary>`gateway ca export`: the CA certificate as PEM on stdout, creating the CA if there is none yet.</summary>
internal static class CaExportCommand
{
    public static Command Create(CliContext context, GlobalOptions options)
    {
        var command = new Command(
            "export",
            "Print the interception CA certificate (PEM) on stdout, for sandboxes to trust. Creates the CA "
            + "first if the gateway has not started yet, exactly as the first start would. The key is never printed.\n\n"
            + "Examples:\n"
            + "  gateway ca export > egress-gateway-ca.pem\n"
            + "  curl --cacert egress-gateway-ca.pem --proxy http://127.0.0.1:3128 https://api.example.com/");
        command.SetAction(result =>
        {
            GatewayConfig config = options.LoadConfig(result, context);
            using CertificateAuthority authority = Open(() => CertificateAuthority.LoadOrCreate(config.StateDir, context.Time));
            if (authority.Created)
            {
                context.Error.WriteLine($"gateway: created the interception CA {authority.CertificatePath}");
            }

            context.Out.Write(authority.CertificatePem);
            context.Out.WriteLine();
            context.Error.WriteLine("gateway: " + CaCommand.TrustHint);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Runs <paramref name="open"/>, turning a CA problem into the command's one-line failure.</summary>
    public static CertificateAuthority Open(Func<CertificateAuthority> open)
    {
        try
        {
            return open();
        }
        catch (CertificateAuthorityException e)
        {
            throw new CliException(e.Message);
        }
    }
}
