using System.Text;
using System.Text.Json;
using Gateway.Audit;

namespace Gateway.Tests.Audit;

public sealed class AuditEventJsonTests
{
    [Fact]
    public void MethodAndPath_OfAnInterceptedRequest_AreWrittenAndReadBack()
    {
        AuditEvent e = AuditTestEvents.Event() with { Method = "POST", Path = "/v1/messages" };

        string line = AuditEventJson.ToLine(in e);

        Assert.EndsWith(",\"method\":\"POST\",\"path\":\"/v1/messages\"}", line, StringComparison.Ordinal);
        Assert.True(AuditEventJson.TryRead(System.Text.Encoding.UTF8.GetBytes(line), out AuditEvent read));
        Assert.Equal(e, read);
    }

    [Fact]
    public void Line_HasEveryFieldWithStableCamelCaseNames()
    {
        AuditEvent e = AuditTestEvents.Event(sequence: 1234) with { Injected = "my-service", WouldBlock = true, DurationMs = 15, Listener = "forward", Reason = "rule" };

        using JsonDocument json = JsonDocument.Parse(AuditEventJson.ToLine(in e));
        JsonElement root = json.RootElement;

        string[] names = [.. root.EnumerateObject().Select(p => p.Name)];
        Assert.Equal(
            ["time", "sandbox", "type", "host", "port", "proxy", "listener", "rule", "ruleId", "decision", "reason", "wouldBlock", "status", "bytesIn", "bytesOut", "durationMs", "injected"],
            names);
        Assert.Equal(("forward", "rule"), (root.GetProperty("listener").GetString(), root.GetProperty("reason").GetString()));
        Assert.Equal(e.Time, root.GetProperty("time").GetDateTimeOffset());
        Assert.Equal("2025-01-29T10:15:00+00:00", root.GetProperty("time").GetString());
        Assert.Equal("dev", root.GetProperty("sandbox").GetString());
        Assert.Equal("network", root.GetProperty("type").GetString());
        Assert.Equal("api.example.test", root.GetProperty("host").GetString());
        Assert.Equal(443, root.GetProperty("port").GetInt32());
        Assert.Equal("forward", root.GetProperty("proxy").GetString());
        Assert.Equal("local", root.GetProperty("rule").GetString());
        Assert.Equal("local:0b6c3c1e-0000-4000-8000-000000000001", root.GetProperty("ruleId").GetString());
        Assert.Equal("allowed", root.GetProperty("decision").GetString());
        Assert.True(root.GetProperty("wouldBlock").GetBoolean());
        Assert.Equal(200, root.GetProperty("status").GetInt32());
        Assert.Equal(1234, root.GetProperty("bytesIn").GetInt64());
        Assert.Equal(2468, root.GetProperty("bytesOut").GetInt64());
        Assert.Equal(15, root.GetProperty("durationMs").GetInt64());
        Assert.Equal("my-service", root.GetProperty("injected").GetString());
    }

    [Fact]
    public void Line_WithoutInjection_HasNullInjected()
    {
        AuditEvent e = AuditTestEvents.Event();

        using JsonDocument json = JsonDocument.Parse(AuditEventJson.ToLine(in e));

        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("injected").ValueKind);
    }

    [Fact]
    public void Line_ReadBack_EqualsTheEvent()
    {
        AuditEvent e = AuditTestEvents.Event(decision: AuditEvent.Blocked, proxy: AuditEvent.TransparentProxy, rule: "kit:x", sequence: 9) with
        {
            Injected = "my-service",
            Time = new DateTimeOffset(2025, 1, 29, 10, 15, 25, 123, TimeSpan.Zero).AddTicks(4567),
        };

        Assert.True(AuditEventJson.TryRead(Encoding.UTF8.GetBytes(AuditEventJson.ToLine(in e)), out AuditEvent back));

        Assert.Equal(e, back);
    }

    [Fact]
    public void Line_WithControlCharactersInHost_StaysOneLine()
    {
        AuditEvent e = AuditTestEvents.Event(host: "evil\n{\"host\":\"x\"}\r.example.test");

        string line = AuditEventJson.ToLine(in e);

        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain('\r', line);
        Assert.True(AuditEventJson.TryRead(Encoding.UTF8.GetBytes(line), out AuditEvent back));
        Assert.Equal(e.Host, back.Host);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("not json")]
    [InlineData("{\"time\":\"2025-01-29T10:15:00+00:00\",\"sandbox\":\"dev\",\"host\":\"a.example.test\"")]
    [InlineData("{\"sandbox\":\"dev\",\"host\":\"a.example.test\",\"decision\":\"allowed\"}")]
    [InlineData("{\"time\":\"yesterday\",\"sandbox\":\"dev\",\"host\":\"a.example.test\",\"decision\":\"allowed\"}")]
    [InlineData("{\"time\":\"2025-01-29T10:15:00+00:00\",\"sandbox\":\"dev\",\"host\":\"a.example.test\",\"decision\":\"allowed\",\"port\":\"x\"}")]
    public void TornOrForeignLine_IsNotAnEvent(string line)
    {
        Assert.False(AuditEventJson.TryRead(Encoding.UTF8.GetBytes(line), out _));
    }

    [Fact]
    public void UnknownFields_AreSkipped()
    {
        const string Line = "{\"time\":\"2025-01-29T10:15:00+00:00\",\"future\":{\"a\":[1,2]},\"sandbox\":\"dev\",\"host\":\"a.example.test\",\"decision\":\"blocked\"}";

        Assert.True(AuditEventJson.TryRead(Encoding.UTF8.GetBytes(Line), out AuditEvent e));
        Assert.Equal("a.example.test", e.Host);
        Assert.True(e.IsBlocked);
        Assert.Equal("network", e.Type);
    }

    [Fact]
    public void SummaryLine_CarriesSuppressed_AndReadsBack_WhileDecisionsNeverHaveIt()
    {
        AuditEvent summary = AuditTestEvents.Event(host: AuditRefusalLimiter.SummaryHost, decision: AuditEvent.Blocked, rule: AuditRefusalLimiter.SummaryRule) with { Suppressed = 99 };

        string line = AuditEventJson.ToLine(in summary);

        Assert.Contains("\"suppressed\":99", line, StringComparison.Ordinal);
        Assert.True(AuditEventJson.TryRead(Encoding.UTF8.GetBytes(line), out AuditEvent read));
        Assert.Equal(summary, read);
        Assert.DoesNotContain("suppressed", AuditEventJson.ToLine(AuditTestEvents.Event()), StringComparison.Ordinal);
    }
}
