from qunshang import PluginMeta

plugin = PluginMeta(id="needs_alpha", title="Needs alpha", version="1.0", requires=("alpha",))
