using System.Runtime.CompilerServices;
using Gateway.Audit;

namespace Gateway.Admin;

/// <summary>The daemon's live audit events (<c>GET /v1/audit/follow</c>, JSON Lines) as the CLI reads them.</summary>
internal sealed class AdminAuditStream(HttpClient client, HttpResponseMessage response, Stream body) : IAsyncDisposable
{
    /// <summary>Events until the daemon stops or <paramref name="cancellation"/> fires.</summary>
    public async IAsyncEnumerable<AuditEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellation)
    {
        var lines = new AuditLineBuffer();
        var events = new List<AuditEvent>();
        while (await lines.FillAsync(body, cancellation).ConfigureAwait(false) > 0)
        {
            Parse(lines, events);
            foreach (AuditEvent e in events)
            {
                yield return e;
            }

            events.Clear();
        }
    }

    /// <summary>Closes the stream and the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await body.DisposeAsync().ConfigureAwait(false);
        response.Dispose();
        client.Dispose();
    }

    private static void Parse(AuditLineBuffer lines, List<AuditEvent> events)
    {
        while (lines.TryReadLine(out ReadOnlySpan<byte> line))
        {
            if (AuditEventJson.TryRead(line, out AuditEvent e))
            {
                events.Add(e);
            }
        }
    }
}
