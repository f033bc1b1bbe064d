"""Every variable of a training run under a stable, unique key: what checkpoints save and restore.

Why not `tf.train.Checkpoint(model=model)`: on TF 2.21 / Keras 3.15 it does not follow Keras layers
held in Python lists or dicts (a cGAN's residual blocks, its EMA copy's blocks), nor
`keras.random.SeedGenerator`s, and it fails silently. Here the objects are walked by attribute
name, the way TF's object graph is, but into lists, dicts, seed generators, metrics and
optimizer slots too; and the result is checked against `variables` of every model and optimizer
reached, so a variable that the walk misses is an error, never a silent gap.

Keys are attribute paths ("model/generator/blocks/2/norm2/entities/kernel"): they depend only on
the code and the configuration, not on Keras' automatic layer names, which differ between two
builds in one process ("adam" then "adam_1"). Optimizer slots are keyed by the key of the variable
they belong to ("model/g_optimizer/momentums/<variable key>").
"""

import keras

# Bookkeeping attributes walked last, so that objects get their readable attribute keys first.
_CONTAINER_ATTRIBUTES = ("_layers", "_trainable_variables", "_non_trainable_variables",
                         "_seed_generators", "_metrics", "_variables")
# Never followed: references to other objects' variables, or derived views of them.
_SKIPPED_ATTRIBUTES = ("_trainable_variables_for_optimizer", "_tracker", "_inbound_nodes",
                       "_outbound_nodes", "_layer_call_argspecs")
_WALKED_TYPES = (keras.layers.Layer, keras.optimizers.Optimizer, keras.metrics.Metric,
                 keras.random.SeedGenerator)


class StateError(ValueError):
    """The variables of the objects cannot be keyed completely and uniquely."""


def _attribute_order(name):
    """Sort key: public attributes, then private ones, then Keras' bookkeeping containers."""
    if name in _CONTAINER_ATTRIBUTES:
        return (2, _CONTAINER_ATTRIBUTES.index(name), name)
    return (1 if name.startswith("_") else 0, 0, name)


def _children(obj):
    """(name, value) pairs to walk from a Keras layer, optimizer, metric or seed generator."""
    if isinstance(obj, keras.random.SeedGenerator):
        return [("state", obj.state)]
    names = [name for name in vars(obj)
             if name not in _SKIPPED_ATTRIBUTES and not name.startswith("_self_")]  # TF internals
    if isinstance(obj, keras.optimizers.Optimizer):
        names = [name for name in names if name != "_trainable_variables"]
    names = sorted(names, key=_attribute_order)
    readable = [_readable(name) for name in names]
    # `_x` is keyed "x" unless a sibling is also called "x" (Keras' `_loss_tracker` beside a
    # model's own `loss_tracker`).
    return [(short if readable.count(short) == 1 else name, getattr(obj, name))
            for name, short in zip(names, readable)]


class _Walker:
    """Collects {key: variable}, each variable once, under the first path that reaches it.

    Optimizers met during the walk are put aside and walked after everything else, so that their
    slots can be keyed by the keys of the model variables they belong to.
    """

    def __init__(self):
        self.variables = {}
        self.seen = set()
        self.keys_by_id = {}
        self.roots = []  # models and optimizers reached: their `variables` must all be keyed
        self.optimizers = []

    def walk(self, roots):
        for name, root in roots.items():
            self.visit(root, name)
        while self.optimizers:
            path, optimizer = self.optimizers.pop(0)
            self._visit_optimizer(optimizer, path)

    def visit(self, obj, path):
        if isinstance(obj, keras.Variable):
            self._record(obj, path)
        elif isinstance(obj, (list, tuple)):
            for index, item in enumerate(obj):
                self.visit(item, f"{path}/{index}")
        elif isinstance(obj, dict):
            for name in sorted(obj, key=str):
                self.visit(obj[name], f"{path}/{name}")
        elif isinstance(obj, _WALKED_TYPES) and id(obj) not in self.seen:
            self.seen.add(id(obj))
            if isinstance(obj, keras.optimizers.Optimizer):
                self.optimizers.append((path, obj))
                return
            if isinstance(obj, keras.layers.Layer):
                self.roots.append((path, obj))
            for name, value in _children(obj):
                self.visit(value, f"{path}/{name}")

    def _visit_optimizer(self, optimizer, path):
        """Slot lists (one entry per trainable variable) are keyed by that variable's key."""
        self.roots.append((path, optimizer))
        references = list(getattr(optimizer, "_trainable_variables", []))
        for name, value in _children(optimizer):
            if _is_slot_list(value, references):
                for reference, slot in zip(references, value):
                    if slot is None:
                        continue
                    owner = self.keys_by_id.get(id(reference))
                    if owner is None:
                        raise StateError(f"optimizer {path!r} has a slot for variable "
                                         f"{reference.path!r}, which is not in the saved objects")
                    self._record(slot, f"{path}/{name}/{owner}")
            else:
                self.visit(value, f"{path}/{name}")

    def _record(self, variable, path):
        if id(variable) in self.keys_by_id:
            return
        if path in self.variables:
            raise StateError(f"two variables have the key {path!r}")
        self.keys_by_id[id(variable)] = path
        self.variables[path] = variable


def _readable(name):
    """Attribute name without Keras' leading underscores (`_kernel` -> `kernel`)."""
    return name.lstrip("_") or name


def _is_slot_list(value, references):
    return (isinstance(value, (list, tuple)) and references and len(value) == len(references)
            and all(item is None or isinstance(item, keras.Variable) for item in value)
            and any(isinstance(item, keras.Variable) for item in value))


def state_variables(**roots):
    """{key: keras.Variable} of every variable reachable from the named objects.

    Args:
        **roots: name -> Keras model, layer, optimizer, metric, seed generator, variable, or a
            list/dict of them (e.g. `state_variables(model=gan)`: a GAN's optimizers are its
            attributes).

    Returns:
        dict key -> variable, in discovery order (stable for a given code and configuration).

    Raises:
        StateError: a variable of a layer or optimizer reached is not reachable by attributes, an
            optimizer holds slots of variables outside `roots`, or two variables get one key.
    """
    walker = _Walker()
    walker.walk(roots)
    missing = [f"{variable.path} (in {path})" for path, obj in walker.roots
               for variable in obj.variables if id(variable) not in walker.keys_by_id]
    if missing:
        raise StateError(
            f"{len(missing)} variable(s) are not reachable through attributes and would not be "
            f"saved: {', '.join(missing[:5])}")
    return walker.variables
