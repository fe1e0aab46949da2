using Gateway.Configuration;
using Gateway.Credentials;
using Gateway.Metrics;
using Gateway.Tests.Interception;
using Gateway.Tests.Metrics;
using Microsoft.Extensions.Logging;

namespace Gateway.Tests.Credentials;

/// <summary>A <see cref="CredentialBroker"/> as the daemon builds it, on a clock the test moves, with its logs captured.</summary>
internal sealed class BrokerFixture : IDisposable
{
    private readonly string _stateDir = System.IO.Directory.CreateTempSubdirectory("gw-broker-").FullName;
    private readonly ILoggerFactory _loggers;

    public BrokerFixture(InterceptTestCa? ca = null)
    {
        GatewayConfig config = GatewayConfig.CreateDefault(_stateDir);
        if (ca is not null)
        {
            config = config with { Trust = new TrustConfig([ca.PemPath]) };
        }

        _loggers = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        Broker = new CredentialBroker(Clock, new TokenClient(config), Metrics, _loggers.CreateLogger<CredentialBroker>());
    }

    public ManualClock Clock { get; } = ManualClock.AtNow();

    public GatewayMetrics Metrics { get; } = new();

    public CapturedLogs Logs { get; } = new();

    public CredentialBroker Broker { get; }

    /// <summary>A scratch directory for scripts, keys and counters.</summary>
    public string Directory => _stateDir;

    public async Task<double> FetchesAsync(string kind, string result) =>
        (await Scrape.OfAsync(Metrics)).Value("gateway_credential_fetches_total", ("source", kind), ("result", result));

    public void Dispose()
    {
        Broker.Dispose();
        _loggers.Dispose();
        System.IO.Directory.Delete(_stateDir, recursive: true);
    }
}
