using System.CommandLine;
using Vmm.Admin;
using Vmm.Sandboxes;

namespace Vmm.Cli;

/// <summary><c>vmm gc</c>: removes what crashed sandboxes and creates left behind.</summary>
internal static class GcCommand
{
    public static Command Create(VmmContext context)
    {
        var gc = new Command(
            "gc",
            "Remove leftovers: sandboxes whose create crashed or that no longer run (their link, rules and registration),\n"
            + "and host-wide address claims, links and nftables chains no sandbox owns.\n\nExample:\n  vmm gc");
        gc.SetAction(async (result, cancellation) =>
        {
            VmmContext.RequireRoot("vmm gc");
            string stateDirectory = context.StateDirectory(result);
            using GatewayAdmin admin = GatewayAdmin.For(stateDirectory);
            var manager = new SandboxManager(new SandboxStore(stateDirectory), admin, context.Error);
            List<string> removed = await manager.CollectGarbageAsync(cancellation).ConfigureAwait(false);
            foreach (string line in removed)
            {
                context.Out.WriteLine("removed " + line);
            }

            if (removed.Count == 0)
            {
                context.Out.WriteLine("nothing to remove");
            }

            return ExitCodes.Ok;
        });
        return gc;
    }
}
