using System.CommandLine;
using Gateway.Admin;
using Gateway.Configuration;
using Gateway.Interception.Certificates;

namespace Gateway.Cli.Ca;

/// <summary>`gateway ca rotate`: a new CA key and certificate; a running daemon switches to it at once.</summary>
internal static class CaRotateCommand
{
    public static Command Create(CliContext context, GlobalOptions options)
    {
        var command = new Command(
            "rotate",
            "Replace the interception CA with a new key and certificate. A running gateway switches at once: "
            + "its next intercepted handshake presents a certificate from the new CA, so sandboxes must be "
            + "given the new one (`gateway ca export`). The old CA is not kept.\n\n"
            + "Example:\n"
            + "  gateway ca rotate && gateway ca export > egress-gateway-ca.pem");
        command.SetAction(async (result, cancellation) =>
        {
            GatewayConfig config = options.LoadConfig(result, context);
            AdminCaRotation rotation;
            try
            {
                rotation = await AdminClient.TryRotateCaAsync(config.Listen.Admin, cancellation).ConfigureAwait(false)
                    ?? RotateFiles(config.StateDir, context.Time);
            }
            catch (CertificateAuthorityException e)
            {
                throw new CliException(e.Message);
            }

            context.Out.WriteLine($"Rotated the interception CA: {rotation.CertificatePath}, valid until {rotation.NotAfter:yyyy-MM-dd}, SHA-256 {rotation.Sha256}");
            context.Error.WriteLine("gateway: sandboxes need the new CA (`gateway ca export`); " + CaCommand.TrustHint);
            return ExitCodes.Ok;
        });
        return command;
    }

    // No daemon: the files are the whole truth; the next start loads the new pair.
    private static AdminCaRotation RotateFiles(string stateDir, TimeProvider time)
    {
        using CertificateAuthority authority = CertificateAuthority.Rotate(stateDir, time);
        return AdminCaRotation.From(authority);
    }
}
