using System.Text.Json;
using Gateway.Listeners;
using Gateway.Tests.Listeners;

namespace Gateway.Tests.Approvals;

/// <summary>
/// Issue 20 point 3 end to end: a real curl waits on a held request while the CLI, against the
/// running daemon, lists it (<c>policy pending --json</c>) and approves or rejects it; or nobody
/// answers and <c>holdFor</c> ends it. Forward CONNECT, absolute-form and transparent TLS paths.
/// </summary>
public sealed class AskModeEndToEndTests : IAsyncLifetime
{
    private TestUpstream _upstream = null!;

    public async Task InitializeAsync() => _upstream = await TestUpstream.StartAsync();

    public async Task DisposeAsync() => await _upstream.DisposeAsync();

    [Fact]
    public async Task ConnectHeld_WhileTheCliApproves_GoesThrough_AndBecomesASandboxRule()
    {
        await using GatewayUnderTest gateway = await AskGateway.StartAsync(TimeSpan.FromSeconds(60));
        Task<(int Exit, string Stdout, string Stderr)> curl = Curl.RunAsync(
            "-k", "-x", gateway.ProxyUrl, $"https://api.example.test:{_upstream.HttpsPort}/");

        JsonElement pending = await AskGateway.WaitForPendingAsync(gateway, "api.example.test");
        Assert.Equal(("host", _upstream.HttpsPort, "forward"), (pending.GetProperty("sandbox").GetString(), pending.GetProperty("port").GetInt32(), pending.GetProperty("proxy").GetString()));
        Assert.True(pending.TryGetProperty("since", out _));
        Assert.False(curl.IsCompleted);
        string metrics = (await Curl.RunAsync(gateway.MetricsUrl + "/metrics")).Stdout;
        Assert.Contains("\ngateway_approvals_pending 1\n", metrics, StringComparison.Ordinal);

        string id = pending.GetProperty("id").GetString()!;
        (int exit, string approved) = gateway.Cli("policy", "approve", id);
        Assert.True(exit == 0, approved);
        Assert.Contains($"Approved {id}: allow api.example.test:{_upstream.HttpsPort} for sandbox host", approved, StringComparison.Ordinal);

        (int curlExit, string stdout, string stderr) = await curl;
        Assert.True(curlExit == 0, stderr);
        Assert.Equal("hello from api.example.test", stdout);
        JsonElement audited = await AskGateway.WaitForAuditAsync(gateway, "api.example.test", "approved");
        Assert.Equal(("allowed", "forward"), (audited.GetProperty("decision").GetString(), audited.GetProperty("proxy").GetString()));
        (_, string rules) = gateway.Cli("policy", "ls", "--json");
        Assert.Contains(JsonDocument.Parse(rules).RootElement.EnumerateArray(), r =>
            r.GetProperty("scope").GetString() == "sandbox:host" && r.GetProperty("resources")[0].GetString() == $"api.example.test:{_upstream.HttpsPort}");
        Assert.Equal("[]", gateway.Cli("policy", "pending", "--json").Output.Trim());
    }

    [Fact]
    public async Task ConnectHeld_ThenRejected_Gets403NamingTheId()
    {
        await using GatewayUnderTest gateway = await AskGateway.StartAsync(TimeSpan.FromSeconds(60));
        using RawClient client = await RawClient.ConnectAsync(gateway.Port);
        await client.SendAsync($"CONNECT other.example.test:{_upstream.HttpsPort} HTTP/1.1\r\nHost: other.example.test:{_upstream.HttpsPort}\r\n\r\n");

        string id = (await AskGateway.WaitForPendingAsync(gateway, "other.example.test")).GetProperty("id").GetString()!;
        (int exit, string rejected) = gateway.Cli("policy", "reject", id);
        (int status, string head, string body) = await client.ReadResponseAsync();

        Assert.True(exit == 0, rejected);
        Assert.Equal(403, status);
        Assert.Contains("X-Gateway-Decision: blocked", head, StringComparison.OrdinalIgnoreCase);
        Assert.Contains($"held for approval as {id} and an operator rejected it (gateway policy reject {id})", body, StringComparison.Ordinal);
        JsonElement audited = await AskGateway.WaitForAuditAsync(gateway, "other.example.test", "rejected");
        Assert.Equal(("blocked", 403), (audited.GetProperty("decision").GetString(), audited.GetProperty("status").GetInt32()));
        Assert.Equal(1, gateway.Cli("policy", "approve", id).Exit);
    }

    [Fact]
    public async Task NobodyAnswers_TheHoldEnds_With403NamingTheIdAndTheApproveCommand_AuditedAsApprovalTimeout()
    {
        await using GatewayUnderTest gateway = await AskGateway.StartAsync(TimeSpan.FromSeconds(1));

        (int exit, string stdout, string stderr) = await Curl.RunAsync(
            "-x", gateway.ProxyUrl, "-w", "\n%{http_code}", $"http://other.example.test:{_upstream.HttpPort}/");
        (int connectExit, _, string connectError) = await Curl.RunAsync(
            "-k", "-x", gateway.ProxyUrl, $"https://api.example.test:{_upstream.HttpsPort}/");

        Assert.True(exit == 0, stderr);
        Assert.EndsWith("\n403", stdout, StringComparison.Ordinal);
        Assert.Matches("held for approval as [a-z2-9]{8} for 1s and nobody approved it in time", stdout);
        Assert.Matches("gateway policy approve [a-z2-9]{8}", stdout);
        Assert.Contains($"To allow it for good: gateway policy allow network other.example.test:{_upstream.HttpPort}", stdout, StringComparison.Ordinal);
        Assert.Equal(56, connectExit); // curl: the proxy answered the CONNECT with 403
        Assert.Contains("403", connectError, StringComparison.Ordinal);
        await AskGateway.WaitForAuditAsync(gateway, "other.example.test", "approval-timeout");
        JsonElement audited = await AskGateway.WaitForAuditAsync(gateway, "api.example.test", "approval-timeout");
        Assert.Equal(("blocked", "forward"), (audited.GetProperty("decision").GetString(), audited.GetProperty("proxy").GetString()));
    }

    [Fact]
    public async Task TransparentTlsHeld_WhileTheCliApproves_IsRelayed()
    {
        await using GatewayUnderTest gateway = await AskGateway.StartAsync(TimeSpan.FromSeconds(60), transparentTlsDialPort: _upstream.HttpsPort);
        int port = gateway.PortOf(ListenerKind.TransparentTls)!.Value;
        Task<(int Exit, string Stdout, string Stderr)> curl = Curl.RunAsync(
            "-k", "--resolve", $"api.example.test:{port}:127.0.0.1", $"https://api.example.test:{port}/");

        JsonElement pending = await AskGateway.WaitForPendingAsync(gateway, "api.example.test");
        Assert.Equal("transparent", pending.GetProperty("proxy").GetString());
        (int exit, string approved) = gateway.Cli("policy", "approve", pending.GetProperty("id").GetString()!, "--all-sandboxes", "--for", "1h");

        Assert.True(exit == 0, approved);
        Assert.Contains("for every sandbox until ", approved, StringComparison.Ordinal);
        (int curlExit, string stdout, string stderr) = await curl;
        Assert.True(curlExit == 0, stderr);
        Assert.Equal("hello from api.example.test", stdout);
        JsonElement audited = await AskGateway.WaitForAuditAsync(gateway, "api.example.test", "approved");
        Assert.Equal("transparentTls", audited.GetProperty("listener").GetString());
    }

    [Fact]
    public async Task AbsoluteFormHeld_WhileTheCliApproves_IsForwarded()
    {
        await using GatewayUnderTest gateway = await AskGateway.StartAsync(TimeSpan.FromSeconds(60));
        Task<(int Exit, string Stdout, string Stderr)> curl = Curl.RunAsync(
            "-x", gateway.ProxyUrl, $"http://api.example.test:{_upstream.HttpPort}/");

        string id = (await AskGateway.WaitForPendingAsync(gateway, "api.example.test")).GetProperty("id").GetString()!;
        Assert.Equal(0, gateway.Cli("policy", "approve", id).Exit);

        (int curlExit, string stdout, string stderr) = await curl;
        Assert.True(curlExit == 0, stderr);
        Assert.Equal("hello from api.example.test", stdout);
    }

    [Fact]
    public async Task PastTheBound_ARequestIsRefusedAtOnce_SayingThePendingListIsFull()
    {
        await using GatewayUnderTest gateway = await AskGateway.StartAsync(TimeSpan.FromSeconds(60), maxPerSandbox: 1);
        Task<(int Exit, string Stdout, string Stderr)> held = Curl.RunAsync(
            "-x", gateway.ProxyUrl, $"http://api.example.test:{_upstream.HttpPort}/");
        string id = (await AskGateway.WaitForPendingAsync(gateway, "api.example.test")).GetProperty("id").GetString()!;

        (int exit, string stdout, string stderr) = await Curl.RunAsync(
            "-x", gateway.ProxyUrl, "-w", "\n%{http_code}", $"http://other.example.test:{_upstream.HttpPort}/");

        Assert.True(exit == 0, stderr);
        Assert.EndsWith("\n403", stdout, StringComparison.Ordinal);
        Assert.Contains("already has 1 requests waiting (policy.ask.maxPendingPerSandbox); the pending list is full", stdout, StringComparison.Ordinal);
        Assert.Equal(0, gateway.Cli("policy", "reject", id).Exit);
        Assert.Equal(0, (await held).Exit);
    }

    [Fact]
    public async Task TransparentHttpHeld_WhileTheCliApproves_IsForwarded()
    {
        await using GatewayUnderTest gateway = await AskGateway.StartAsync(TimeSpan.FromSeconds(60), transparentHttpDialPort: _upstream.HttpPort);
        int port = gateway.PortOf(ListenerKind.TransparentHttp)!.Value;
        Task<(int Exit, string Stdout, string Stderr)> curl = Curl.RunAsync(
            "--resolve", $"api.example.test:{port}:127.0.0.1", $"http://api.example.test:{port}/");

        JsonElement pending = await AskGateway.WaitForPendingAsync(gateway, "api.example.test");
        Assert.Equal("transparentHttp", pending.GetProperty("listener").GetString());
        Assert.Equal(0, gateway.Cli("policy", "approve", pending.GetProperty("id").GetString()!).Exit);

        (int curlExit, string stdout, string stderr) = await curl;
        Assert.True(curlExit == 0, stderr);
        Assert.Equal("hello from api.example.test", stdout);
    }

    [Fact]
    public async Task ApprovingForAllSandboxes_ReleasesAnotherSandboxWaitingForTheSameHost()
    {
        await using GatewayUnderTest gateway = await AskGateway.StartAsync(TimeSpan.FromSeconds(60));
        using (HttpResponseMessage vm = await AdminHttp.RegisterAsync(gateway.StateDir, new { name = "vm1", addresses = new[] { "127.0.0.2" } }))
        {
            Assert.True(vm.IsSuccessStatusCode);
        }

        string url = $"http://api.example.test:{_upstream.HttpPort}/";
        Task<(int Exit, string Stdout, string Stderr)> fromHost = Curl.RunAsync("-x", gateway.ProxyUrl, url);
        Task<(int Exit, string Stdout, string Stderr)> fromVm = Curl.RunAsync("-x", gateway.ProxyUrl, "--interface", "127.0.0.2", url);
        string id = (await AskGateway.WaitForPendingAsync(gateway, "api.example.test", "host")).GetProperty("id").GetString()!;
        await AskGateway.WaitForPendingAsync(gateway, "api.example.test", "vm1");

        Assert.Equal(0, gateway.Cli("policy", "approve", id, "--all-sandboxes").Exit);

        Assert.Equal("hello from api.example.test", (await fromHost).Stdout);
        Assert.Equal("hello from api.example.test", (await fromVm).Stdout);
        Assert.Equal("[]", gateway.Cli("policy", "pending", "--json").Output.Trim());
    }

    [Fact]
    public async Task Stopping_AnswersTheHeldRequests_InsteadOfHoldingUpTheDrain()
    {
        await using GatewayUnderTest gateway = await AskGateway.StartAsync(TimeSpan.FromMinutes(5));
        Task<(int Exit, string Stdout, string Stderr)> curl = Curl.RunAsync(
            "-x", gateway.ProxyUrl, "-w", "\n%{http_code}", $"http://api.example.test:{_upstream.HttpPort}/");
        await AskGateway.WaitForPendingAsync(gateway, "api.example.test");

        await gateway.StopAsync();

        (int exit, string stdout, string stderr) = await curl;
        Assert.True(exit == 0, stderr);
        Assert.EndsWith("\n403", stdout, StringComparison.Ordinal);
        await AskGateway.WaitForAuditAsync(gateway, "api.example.test", "approval-timeout");
    }
}
