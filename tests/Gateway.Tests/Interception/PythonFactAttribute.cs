namespace Gateway.Tests.Interception;

/// <summary>A fact that needs <c>/usr/bin/python3</c> (its <c>ssl</c> module reports session resumption); skipped, saying so, without it.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PythonFactAttribute : FactAttribute
{
    public PythonFactAttribute()
    {
        if (!ResumingTlsClient.Available)
        {
            Skip = "needs /usr/bin/python3 (apt-get install python3): its ssl module says whether a session resumed";
        }
    }
}
