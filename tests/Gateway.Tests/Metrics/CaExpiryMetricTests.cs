using System.Security.Cryptography.X509Certificates;
using Gateway.Interception.Certificates;
using Gateway.Tests.Listeners;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Metrics;

/// <summary>The CA expiry gauge the "certificate near expiry" alert watches.</summary>
public sealed class CaExpiryMetricTests
{
    [Fact]
    public async Task Gauge_IsTheCasNotAfter_AndFollowsARotation()
    {
        await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        using X509Certificate2 first = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(gateway.StateDir, "ca", "egress-gateway-ca.pem")));
        Assert.Equal(UnixSeconds(first), await ScrapeExpiryAsync(http, gateway));

        // A rotation a second later must show in the next scrape: the gauge reads the cache's CA, not a copy.
        await Task.Delay(1100);
        LeafCertificateCache leaves = gateway.Services.GetRequiredService<LeafCertificateCache>();
        leaves.Replace(CertificateAuthority.Rotate(gateway.StateDir, TimeProvider.System));
        double rotated = await ScrapeExpiryAsync(http, gateway);
        Assert.Equal(UnixSeconds(leaves.Authority.Certificate), rotated);
        Assert.True(rotated > UnixSeconds(first), $"{rotated} should be later than {UnixSeconds(first)}");
    }

    private static double UnixSeconds(X509Certificate2 certificate) =>
        new DateTimeOffset(certificate.NotAfter.ToUniversalTime()).ToUnixTimeSeconds();

    private static async Task<double> ScrapeExpiryAsync(HttpClient http, GatewayUnderTest gateway) =>
        Scrape.Parse(await http.GetStringAsync(gateway.MetricsUrl + "/metrics")).Value("gateway_ca_expiry_timestamp_seconds");
}
