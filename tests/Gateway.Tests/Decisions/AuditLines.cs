using System.Text.Json;

namespace Gateway.Tests.Decisions;

/// <summary>The daemon's audit file as a test reads it: parsed lines, and a bounded wait for more.</summary>
internal static class AuditLines
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    public static List<JsonElement> Read(string file)
    {
        if (!File.Exists(file))
        {
            return [];
        }

        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        var lines = new List<JsonElement>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && line[^1] == '}')
            {
                lines.Add(JsonDocument.Parse(line).RootElement.Clone());
            }
        }

        return lines;
    }

    /// <summary>Waits (30 s at most) until the file holds at least <paramref name="count"/> events.</summary>
    public static async Task<List<JsonElement>> WaitForAsync(string file, int count, string what)
    {
        using var deadline = new CancellationTokenSource(s_timeout);
        while (true)
        {
            List<JsonElement> lines = Read(file);
            if (lines.Count >= count)
            {
                return lines;
            }

            if (deadline.IsCancellationRequested)
            {
                Assert.Fail($"{what}: {count} audit events expected, {lines.Count} written within {s_timeout.TotalSeconds} s");
            }

            await Task.Delay(20, CancellationToken.None);
        }
    }

    public static (string? Listener, string? Reason, string? Decision, int Status) Key(JsonElement e) =>
        (e.GetProperty("listener").GetString(), e.GetProperty("reason").GetString(), e.GetProperty("decision").GetString(), e.GetProperty("status").GetInt32());
}
