using System.Runtime.CompilerServices;
using System.Text.Json;
using Gateway.Approvals;

namespace Gateway.Admin;

/// <summary>The daemon's pending approvals as they are created (<c>GET /policy/pending/follow</c>, JSON Lines) as the CLI reads them.</summary>
internal sealed class AdminPendingStream(HttpClient client, HttpResponseMessage response, Stream body) : IAsyncDisposable
{
    /// <summary>Notices until the daemon stops or <paramref name="cancellation"/> fires.</summary>
    public async IAsyncEnumerable<ApprovalNotice> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellation)
    {
        using var reader = new StreamReader(body, leaveOpen: true);
        while (await reader.ReadLineAsync(cancellation).ConfigureAwait(false) is { } line)
        {
            if (line.Length > 0 && JsonSerializer.Deserialize(line, ApprovalJsonContext.Default.ApprovalNotice) is { } notice)
            {
                yield return notice;
            }
        }
    }

    /// <summary>Closes the stream and the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        await body.DisposeAsync().ConfigureAwait(false);
        response.Dispose();
        client.Dispose();
    }
}
