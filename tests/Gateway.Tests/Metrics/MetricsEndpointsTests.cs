using Gateway.Listeners;
using Gateway.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Tests.Metrics;

/// <summary>The metrics listener's branch on its own, through every state of <see cref="Readiness"/>.</summary>
public sealed class MetricsEndpointsTests
{
    private readonly ConnectionGate _gate = new(2);
    private readonly Readiness _readiness;
    private readonly RequestDelegate _branch;

    public MetricsEndpointsTests()
    {
        _readiness = new Readiness(_gate);
        var builder = new ApplicationBuilder(new ServiceCollection().BuildServiceProvider());
        MetricsEndpoints.Map(builder, new GatewayMetrics(), _readiness);
        _branch = builder.Build();
    }

    [Fact]
    public async Task Readyz_Is503_WhileStarting_200_OnceReady_And503_FromShutdown()
    {
        Assert.Equal((503, "starting"), await GetAsync("/readyz"));
        _readiness.MarkReady();
        Assert.Equal((200, "ready"), await GetAsync("/readyz"));
        _readiness.MarkStopping();
        Assert.Equal((503, "stopping"), await GetAsync("/readyz"));
        _readiness.MarkReady();
        Assert.Equal((503, "stopping"), await GetAsync("/readyz"));
    }

    [Fact]
    public async Task Readyz_Is503Saturated_WhileEveryConnectionSlotIsTaken_And200_OnceOneReturns()
    {
        _readiness.MarkReady();
        Assert.True(_gate.TryEnter());
        Assert.Equal((200, "ready"), await GetAsync("/readyz"));
        Assert.True(_gate.TryEnter());
        Assert.Equal((503, "saturated"), await GetAsync("/readyz"));
        Assert.Equal((200, "ok"), await GetAsync("/healthz"));
        _gate.Exit();
        Assert.Equal((200, "ready"), await GetAsync("/readyz"));
    }

    [Fact]
    public async Task Healthz_Is200_InEveryState()
    {
        Assert.Equal((200, "ok"), await GetAsync("/healthz"));
        _readiness.MarkReady();
        _readiness.MarkStopping();
        Assert.Equal((200, "ok"), await GetAsync("/healthz"));
    }

    [Fact]
    public async Task Metrics_AreServedInTheTextFormat()
    {
        (int status, string body) = await GetAsync("/metrics");

        Assert.Equal(200, status);
        Assert.Contains("gateway_errors_total", Scrape.Parse(body).Families.Keys);
    }

    [Fact]
    public async Task Probes_OnlyAnswerGetAndHead()
    {
        Assert.Equal(405, (await SendAsync("POST", "/readyz")).Status);
        Assert.Equal(200, (await SendAsync("HEAD", "/healthz")).Status);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/healthz/x")]
    [InlineData("/v1/status")]
    public async Task AnyOtherPath_Is404(string path) =>
        Assert.Equal(404, (await GetAsync(path)).Status);

    private Task<(int Status, string Body)> GetAsync(string path) => SendAsync("GET", path);

    private async Task<(int Status, string Body)> SendAsync(string method, string path)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        context.Request.Path = path;
        var body = new MemoryStream();
        context.Response.Body = body;
        await _branch(context);
        return (context.Response.StatusCode, System.Text.Encoding.UTF8.GetString(body.ToArray()));
    }
}
