using Gateway.Audit;
using Gateway.Configuration;

namespace Gateway.Tests.Audit;

/// <summary>Events, files and clocks for the audit tests.</summary>
internal static class AuditTestEvents
{
    public static readonly DateTimeOffset Start = new(2025, 1, 29, 10, 15, 0, TimeSpan.Zero);

    public static AuditEvent Event(
        string host = "api.example.test",
        string sandbox = "dev",
        string decision = AuditEvent.Allowed,
        int seconds = 0,
        int port = 443,
        string proxy = AuditEvent.ForwardProxy,
        string rule = "local",
        long sequence = 0) => new()
        {
            Time = Start.AddSeconds(seconds),
            Sandbox = sandbox,
            Host = host,
            Port = port,
            Proxy = proxy,
            Rule = rule,
            RuleId = rule == "local" ? "local:0b6c3c1e-0000-4000-8000-000000000001" : rule,
            Decision = decision,
            Status = decision == AuditEvent.Allowed ? 200 : 403,
            BytesIn = sequence,
            BytesOut = 2 * sequence,
            DurationMs = 7,
        };

    public static string TempDir() => Directory.CreateTempSubdirectory("gw-audit-").FullName;

    public static AuditConfig Config(string dir, long maxFileSize = 100L << 20, int keep = 10) =>
        new(Path.Combine(dir, "audit.jsonl"), maxFileSize, keep);

    public static List<AuditEvent> ReadEvents(string path)
    {
        var events = new List<AuditEvent>();
        foreach (string line in File.ReadAllLines(path))
        {
            Assert.True(AuditEventJson.TryRead(System.Text.Encoding.UTF8.GetBytes(line), out AuditEvent e), $"not an audit event: {line}");
            events.Add(e);
        }

        return events;
    }

    public static void AppendLines(string path, params AuditEvent[] events)
    {
        using var file = new StreamWriter(path, append: true);
        foreach (AuditEvent e in events)
        {
            file.Write(AuditEventJson.ToLine(in e) + "\n");
        }
    }
}

/// <summary>A clock whose local time zone is UTC, so printed times do not depend on the machine.</summary>
internal sealed class UtcZoneTimeProvider : TimeProvider
{
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
}
