using System.Net;
using Microsoft.Extensions.Logging;

namespace Gateway.Listeners;

internal sealed partial class TransparentTlsMiddleware
{
    private static partial class Log
    {
        [LoggerMessage(2200, LogLevel.Debug, "{Remote}: the client went away ({Exception})")]
        public static partial void ClientGone(ILogger logger, EndPoint? remote, string exception);
    }
}
