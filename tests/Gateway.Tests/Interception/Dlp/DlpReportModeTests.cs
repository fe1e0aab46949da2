using System.Text;

namespace Gateway.Tests.Interception.Dlp;

/// <summary>With <c>network.dlp: report</c> a hit goes through to the origin and is audited (wouldBlock, dlp:&lt;pattern&gt;) and counted.</summary>
public sealed class DlpReportModeTests : IAsyncLifetime
{
    private DlpGateway _env = null!;

    public async Task InitializeAsync() => _env = await DlpGateway.StartAsync("held-Secret-report-77e1", dlp: "report");

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task AHit_IsLetThrough_AndAudited()
    {
        string file = _env.WriteFile("slack.json", Encoding.ASCII.GetBytes("{\"token\":\"" + DlpCases.Slack + "\"}"));

        var (exit, stdout, stderr) = await _env.CurlAsync("other.example.test", "/sink", "-i", "--data-binary", "@" + file);

        Assert.True(exit == 0, stderr);
        Assert.Contains("read ", stdout, StringComparison.Ordinal);
        var (audit, metrics, logs) = await _env.StopAndReadAsync();
        Assert.Contains("\"ruleId\":\"dlp:slack-token\"", audit, StringComparison.Ordinal);
        Assert.Contains("\"wouldBlock\":true", audit, StringComparison.Ordinal);
        Assert.Contains("gateway_dlp_hits_total{pattern=\"slack_token\"} 1", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain(DlpCases.Slack, audit + metrics + logs, StringComparison.Ordinal);
    }
}
