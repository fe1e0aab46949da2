using Gateway.Configuration;
using Gateway.Interception.Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.Hosting;

/// <summary>The local interception CA and the leaf cache every TLS termination draws from.</summary>
internal static partial class GatewayHost
{
    /// <summary>
    /// Loads the CA from the state directory, creating it on first start (and saying where, so
    /// the operator knows what to hand sandboxes); null with the one-line reason in <paramref name="errors"/>.
    /// </summary>
    private static CertificateAuthority? LoadCertificateAuthority(GatewayConfig config, ILoggerFactory loggers, List<string> errors)
    {
        try
        {
            CertificateAuthority authority = CertificateAuthority.LoadOrCreate(config.StateDir, TimeProvider.System);
            if (authority.Created)
            {
                CaLog.Created(loggers.CreateLogger("Gateway"), authority.CertificatePath);
            }

            return authority;
        }
        catch (CertificateAuthorityException e)
        {
            errors.Add(e.Message);
            return null;
        }
    }

    private static void AddCertificateAuthority(IServiceCollection services, CertificateAuthority authority)
    {
        services.AddSingleton(authority);
        services.AddSingleton(sp => new LeafCertificateCache(authority, sp.GetRequiredService<TimeProvider>()));
    }

    private static partial class CaLog
    {
        [LoggerMessage(1010, LogLevel.Information, "interception CA created: {Path} (sandboxes trust it for intercepted hosts; print it with `gateway ca export`)")]
        public static partial void Created(ILogger logger, string path);
    }
}
