using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Interception.Dlp;

/// <summary>
/// Stands in for Kestrel's upgrade feature on an intercepted WebSocket request: the forwarder upgrades through it
/// and relays a <see cref="DlpUpgradedStream"/>, whose hit the request handler reads once the relay ends.
/// </summary>
internal sealed class DlpUpgradeFeature(IHttpUpgradeFeature inner, DlpNeedles needles, DlpContext context, bool block) : IHttpUpgradeFeature
{
    /// <summary>The upgraded stream, once the forwarder asked for it.</summary>
    public DlpUpgradedStream? Stream { get; private set; }

    public bool IsUpgradableRequest => inner.IsUpgradableRequest;

    public async Task<Stream> UpgradeAsync()
    {
        Stream upgraded = await inner.UpgradeAsync().ConfigureAwait(false);
        Stream = new DlpUpgradedStream(upgraded, new DlpWebSocketFrames(needles, context), block);
        return Stream;
    }
}
