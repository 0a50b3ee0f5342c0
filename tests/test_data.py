"""alexlab.data: checked downloads, safe archives, folder loaders, the §2 crop, synthetic data.

Nothing here touches the network: downloads are served from file:// URLs or refused by a
stand-in for urlopen, and every archive and image folder is generated under tmp_path.
"""

import hashlib
import io
import pickle
import tarfile
import urllib.error
import urllib.request

import numpy as np
import pytest
from PIL import Image

from alexlab import archives, data, download, folders


@pytest.fixture(autouse=True)
def keras_home(tmp_path, monkeypatch):
    """A fresh, empty Keras cache per test, and no dataset folders from the environment."""
    home = tmp_path / "keras_home"
    monkeypatch.setenv("KERAS_HOME", str(home))
    monkeypatch.delenv(data.CIFAR10_ENV, raising=False)
    monkeypatch.delenv(data.FLOWERS_ENV, raising=False)
    return home


def _sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _offline(monkeypatch):
    def refuse(url, timeout=None):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)


def _save(path, pixels):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.asarray(pixels, dtype=np.uint8)).save(path)


# --- download ------------------------------------------------------------------------


@pytest.fixture
def served(tmp_path):
    """A small file to 'download' through a file:// URL, and its sha256."""
    path = tmp_path / "server" / "payload.bin"
    path.parent.mkdir()
    path.write_bytes(b"alexlab" * 1000)
    return path.as_uri(), _sha256(path), path.read_bytes()


def test_download_fetches_verifies_and_then_reuses_the_cached_copy(served, tmp_path, monkeypatch):
    url, sha, payload = served
    got = data.download(url, "payload.bin", sha, cache_dir=tmp_path / "cache")
    assert got == tmp_path / "cache" / "payload.bin" and got.read_bytes() == payload
    assert [p.name for p in got.parent.iterdir()] == ["payload.bin"]  # no temporary left
    _offline(monkeypatch)  # a valid cached copy needs no network
    assert data.download(url, "payload.bin", sha, cache_dir=tmp_path / "cache") == got


def test_download_replaces_a_corrupt_cached_file(served, keras_home, capsys):
    url, sha, payload = served
    cached = keras_home / "datasets" / "payload.bin"  # the default cache: $KERAS_HOME/datasets
    cached.parent.mkdir(parents=True)
    cached.write_bytes(payload[:100])  # an interrupted earlier download
    assert data.download(url, "payload.bin", sha) == cached
    assert cached.read_bytes() == payload
    assert "wrong sha256" in capsys.readouterr().out


def test_download_with_the_wrong_hash_raises_and_keeps_nothing(served, tmp_path):
    url, sha, _ = served
    expected = "0" * 64
    with pytest.raises(ValueError) as caught:
        data.download(url, "payload.bin", expected, cache_dir=tmp_path / "cache")
    message = str(caught.value)
    assert expected in message and sha in message and "payload.bin" in message
    assert list((tmp_path / "cache").iterdir()) == []


@pytest.mark.parametrize(
    "load, filename, sha, env",
    [
        (data.load_cifar10, "cifar-10-python.tar.gz", data.CIFAR10_SHA256, data.CIFAR10_ENV),
        (data.load_flowers, "flower_photos.tgz", data.FLOWERS_SHA256, data.FLOWERS_ENV),
    ],
)
def test_offline_error_says_what_to_put_where(load, filename, sha, env, keras_home, monkeypatch):
    _offline(monkeypatch)
    with pytest.raises(data.DatasetUnavailable) as caught:
        load()
    message = str(caught.value)
    assert isinstance(caught.value, OSError)
    assert str(keras_home / "datasets" / filename) in message
    assert sha in message and env in message and "<class>" in message


# --- archives ------------------------------------------------------------------------


def _tar(path, members):
    """Write a .tar.gz of (TarInfo, bytes or None) pairs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tar:
        for info, content in members:
            if content is not None:
                info.size = len(content)
            tar.addfile(info, io.BytesIO(content) if content is not None else None)
    return path


@pytest.fixture(params=["data-filter", "own-checks-only"])
def tar_filter(request, monkeypatch):
    """Run with tarfile's data filter, and as on Pythons older than 3.10.12, without it."""
    if request.param == "own-checks-only" and hasattr(tarfile, "data_filter"):
        monkeypatch.delattr(tarfile, "data_filter")
    return request.param


def _info(name, kind=tarfile.REGTYPE, linkname=""):
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, linkname
    return info


@pytest.mark.parametrize(
    "bad",
    [
        _info("../evil.txt"),
        _info("flower_photos/../../evil.txt"),
        _info("/tmp/alexlab-evil.txt"),
        _info("flower_photos/passwd", tarfile.SYMTYPE, "/etc/passwd"),
        _info("flower_photos/link", tarfile.LNKTYPE, "../../evil.txt"),
        _info("flower_photos/null", tarfile.CHRTYPE),
    ],
    ids=["dotdot", "nested-dotdot", "absolute", "symlink", "hardlink", "device"],
)
def test_unsafe_archives_are_refused_whole(bad, tmp_path, tar_filter):
    content = b"pwned" if bad.isfile() else None
    archive = _tar(tmp_path / "bad.tgz", [(_info("flower_photos/ok.txt"), b"ok"), (bad, content)])
    dest = tmp_path / "a" / "b" / "dest"
    with pytest.raises(ValueError, match="refused"):
        archives.safe_extract(archive, dest)
    assert not dest.exists()  # refused before anything was written
    assert not (tmp_path / "a" / "evil.txt").exists() and not (tmp_path / "evil.txt").exists()


@pytest.mark.filterwarnings("ignore:Python 3.14 will, by default, filter:DeprecationWarning")
def test_safe_archive_unpacks(tmp_path, tar_filter):
    archive = _tar(tmp_path / "ok.tgz", [(_info("top/sub/ok.txt"), b"fine")])
    archives.safe_extract(archive, tmp_path / "dest")
    assert (tmp_path / "dest" / "top" / "sub" / "ok.txt").read_bytes() == b"fine"


def _cifar_batch(n, first_label):
    rows = np.zeros((n, 3072), dtype=np.uint8)
    rows[:, 0] = np.arange(n)  # red value of pixel (0, 0) numbers the images
    return {b"data": rows, b"labels": [(first_label + i) % 10 for i in range(n)]}


def _fake_cifar_archive(path):
    """A cifar-10-python.tar.gz in miniature: same members, same pickles, 2 images a batch."""
    batches = {f"data_batch_{i}": _cifar_batch(2, 2 * i) for i in range(1, 6)}
    batches["test_batch"] = _cifar_batch(2, 7)
    # Image 1 of data_batch_1: pixel (row 1, col 2) is (200, 100, 50), planes stored R, G, B.
    for plane, value in enumerate((200, 100, 50)):
        batches["data_batch_1"][b"data"][1, plane * 1024 + 1 * 32 + 2] = value
    batches["batches.meta"] = {b"label_names": [c.encode() for c in data.CIFAR10_CLASSES]}
    members = [(_info("cifar-10-batches-py/readme.html"), b"<html></html>")]
    for name, content in batches.items():
        # The official batches are Python 2 pickles whose strings load as bytes; protocol 3
        # stores bytes as plainly (Python 3's protocol 2 would call _codecs.encode instead).
        members.append((_info(f"cifar-10-batches-py/{name}"), pickle.dumps(content, protocol=3)))
    return _tar(path, members)


def test_cifar_archive_reader_gives_hwc_images_and_labels(tmp_path):
    archive = _fake_cifar_archive(tmp_path / "cifar-10-python.tar.gz")
    x_train, y_train, x_test, y_test, classes = archives.read_cifar_archive(
        archive, sha256=_sha256(archive)
    )
    assert x_train.shape == (10, 32, 32, 3) and x_test.shape == (2, 32, 32, 3)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.int64
    assert x_train[1, 1, 2].tolist() == [200, 100, 50]
    assert x_train[:, 0, 0, 0].tolist() == [0, 1] * 5  # batches in order 1..5
    assert y_train.tolist() == [2, 3, 4, 5, 6, 7, 8, 9, 0, 1] and y_test.tolist() == [7, 8]
    assert classes == data.CIFAR10_CLASSES


def test_cifar_archive_is_not_unpickled_before_its_hash_matches(tmp_path, monkeypatch):
    archive = _fake_cifar_archive(tmp_path / "cifar-10-python.tar.gz")

    def never(*args, **kwargs):
        raise AssertionError("unpickled before the checksum was verified")

    monkeypatch.setattr(archives, "ArrayUnpickler", never)
    with pytest.raises(ValueError, match="expected " + data.CIFAR10_SHA256):
        archives.read_cifar_archive(archive, data.CIFAR10_SHA256)


def test_load_cifar10_downloads_checks_and_reads_the_archive(tmp_path, monkeypatch):
    archive = _fake_cifar_archive(tmp_path / "server" / "cifar.tgz")
    monkeypatch.setattr(data, "CIFAR10_URL", archive.as_uri())
    monkeypatch.setattr(data, "CIFAR10_SHA256", _sha256(archive))
    dataset = data.load_cifar10()
    assert dataset.x_train.shape == (10, 32, 32, 3) and len(dataset.y_test) == 2
    assert dataset.source == "official archive cifar-10-python.tar.gz (sha256 verified)"


@pytest.mark.parametrize("module", ["numpy.core.multiarray", "numpy._core.multiarray"])
def test_array_unpickler_reads_numpy_1_and_2_pickles(module):
    blob = pickle.dumps({b"data": np.arange(6, dtype=np.uint8)}, protocol=3)
    for name in (b"numpy.core.multiarray", b"numpy._core.multiarray"):
        blob = blob.replace(name, module.encode())
    loaded = archives.ArrayUnpickler(io.BytesIO(blob), encoding="bytes").load()
    assert loaded[b"data"].tolist() == list(range(6))


def test_array_unpickler_refuses_other_globals():
    with pytest.raises(pickle.UnpicklingError, match="builtins.print"):
        archives.ArrayUnpickler(io.BytesIO(pickle.dumps(print))).load()


# --- image folders -------------------------------------------------------------------


def _cifar_folder(root, classes=data.CIFAR10_CLASSES, train=3, test=1):
    """<root>/<split>/<class>/NNN.png, each image one flat grey: 20 * class + file number."""
    for split, n in (("train", train), ("test", test)):
        for name in classes:
            for i in range(n):
                value = 20 * data.CIFAR10_CLASSES.index(name) + i
                _save(root / split / name / f"{i:03d}.png", np.full((32, 32, 3), value))
    return root


def test_cifar_folder_labels_follow_the_official_order(tmp_path):
    # Folders made in reverse order, plus the clutter Jupyter and macOS leave behind.
    root = _cifar_folder(tmp_path / "cifar10-jpeg", classes=data.CIFAR10_CLASSES[::-1])
    (root / "train" / ".ipynb_checkpoints").mkdir()
    (root / "train" / "cat" / ".DS_Store").write_bytes(b"")
    dataset = data.load_cifar10(str(root))
    assert dataset.class_names == data.CIFAR10_CLASSES
    assert dataset.x_train.shape == (30, 32, 32, 3) and dataset.x_test.shape == (10, 32, 32, 3)
    assert dataset.y_train.dtype == np.int64 and dataset.x_train.dtype == np.uint8
    for x, y in ((dataset.x_train, dataset.y_train), (dataset.x_test, dataset.y_test)):
        assert (x[:, 0, 0, 0] // 20 == y).all()
    assert np.bincount(dataset.y_train).tolist() == [3] * 10
    assert dataset.y_train.tolist() != sorted(dataset.y_train.tolist())  # shuffled
    assert dataset.source == "JPEG folder cifar10-jpeg"


def test_cifar_folder_from_the_environment(tmp_path, monkeypatch):
    root = _cifar_folder(tmp_path / "mycifar", train=1)
    monkeypatch.setenv(data.CIFAR10_ENV, str(root))
    assert data.load_cifar10().source == f"JPEG folder mycifar ({data.CIFAR10_ENV})"


def test_cifar_folder_with_an_unknown_class_is_refused(tmp_path):
    root = _cifar_folder(tmp_path / "c", train=1)
    _save(root / "train" / "unicorn" / "000.png", np.zeros((32, 32, 3)))
    with pytest.raises(ValueError, match="unicorn"):
        data.load_cifar10(root)


def test_cifar_folder_without_a_test_split_is_refused(tmp_path):
    root = _cifar_folder(tmp_path / "c", train=1, test=0)
    assert not (root / "test").exists()
    with pytest.raises(ValueError, match="train/<class>"):
        data.load_cifar10(root)


def test_second_load_comes_from_the_cache_and_a_changed_folder_is_reread(tmp_path, monkeypatch):
    root = _cifar_folder(tmp_path / "c", train=2)
    first = data.load_cifar10(root)

    def refuse(*args):
        raise AssertionError("decoded again")

    monkeypatch.setattr(folders, "load_image", refuse)
    second = data.load_cifar10(root)
    for name in ("x_train", "y_train", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(first, name), getattr(second, name))
    _save(root / "train" / "cat" / "999.png", np.zeros((32, 32, 3)))
    with pytest.raises(AssertionError, match="decoded again"):
        data.load_cifar10(root)


def test_empty_class_folders_and_broken_images_are_named(tmp_path):
    root = _cifar_folder(tmp_path / "c", train=1)
    (root / "test" / "ship" / "000.png").unlink()
    with pytest.raises(ValueError, match="test/ship/ has no images"):
        data.load_cifar10(root)
    _save(root / "test" / "ship" / "000.png", np.zeros((32, 32, 3)))
    (root / "train" / "frog" / "000.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match="cannot decode frog/000.png"):
        data.load_cifar10(root)


def test_images_of_different_sizes_are_refused(tmp_path):
    root = _cifar_folder(tmp_path / "c", train=1)
    _save(root / "train" / "dog" / "001.png", np.zeros((16, 16, 3)))
    with pytest.raises(ValueError, match="16x16"):
        data.load_cifar10(root)


def _flowers_folder(root, per_class=(10, 7, 5, 6, 8)):
    """<root>/<class>/*.png plus LICENSE.txt; pixel (0, 0) numbers the file, (0, 1) its class."""
    root.mkdir(parents=True)
    (root / "LICENSE.txt").write_text("CC-BY 2.0")
    number = 0
    for label, (name, n) in enumerate(zip(data.FLOWERS_CLASSES, per_class, strict=True)):
        for i in range(n):
            pixels = np.full((40, 60, 3), 128)
            pixels[:, :, 0], pixels[:, :, 1] = number, 50 * label  # flat: survives resizing
            _save(root / name / f"{i:04d}_photo.png", pixels)
            number += 1
    return root


@pytest.mark.parametrize("nested", [False, True], ids=["class-folders", "flower_photos"])
def test_flowers_folder_in_either_layout(tmp_path, nested):
    root = tmp_path / "tf_flowers"
    _flowers_folder(root / "flower_photos" if nested else root)
    dataset = data.load_flowers(root, size=16)
    assert dataset.class_names == data.FLOWERS_CLASSES
    assert dataset.x_train.shape[1:] == (16, 16, 3) and dataset.x_train.dtype == np.uint8
    assert len(dataset.y_train) + len(dataset.y_test) == 36
    for x, y in ((dataset.x_train, dataset.y_train), (dataset.x_test, dataset.y_test)):
        assert (x[:, 0, 0, 1] // 50 == y).all()
    assert str(tmp_path) not in repr(dataset) and str(tmp_path) not in dataset.source


def test_flowers_split_is_stratified_and_seeded(tmp_path):
    root = _flowers_folder(tmp_path / "f")
    dataset = data.load_flowers(root, size=8, test_fraction=0.2, seed=0)
    # round(0.2 * n) per class for n = 10, 7, 5, 6, 8
    assert np.bincount(dataset.y_test, minlength=5).tolist() == [2, 1, 1, 1, 2]
    assert np.bincount(dataset.y_train, minlength=5).tolist() == [8, 6, 4, 5, 6]
    files = sorted(dataset.x_test[:, 0, 0, 0].tolist())
    assert set(files).isdisjoint(dataset.x_train[:, 0, 0, 0].tolist())
    (tmp_path / "keras_home").rename(tmp_path / "old_cache")  # decode afresh: same split
    again = data.load_flowers(root, size=8, test_fraction=0.2, seed=0)
    np.testing.assert_array_equal(dataset.x_test, again.x_test)
    other = data.load_flowers(root, size=8, test_fraction=0.2, seed=1)
    assert sorted(other.x_test[:, 0, 0, 0].tolist()) != files


def test_flowers_downloaded_archive_is_unpacked_and_read(tmp_path, monkeypatch):
    photos = _flowers_folder(tmp_path / "build" / "flower_photos", per_class=(2,) * 5)
    archive = tmp_path / "server" / "flower_photos.tgz"
    archive.parent.mkdir()
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(photos, arcname="flower_photos")
    monkeypatch.setattr(data, "FLOWERS_URL", archive.as_uri())
    monkeypatch.setattr(data, "FLOWERS_SHA256", _sha256(archive))
    dataset = data.load_flowers(size=8, test_fraction=0.5)
    assert np.bincount(dataset.y_test).tolist() == [1] * 5
    assert dataset.source.startswith("official archive flower_photos.tgz (sha256 verified)")


def test_shorter_side_then_central_crop(tmp_path):
    """§2: rescale so the shorter side is `size`, keep the central size x size patch."""
    wide = np.zeros((300, 600, 3), dtype=np.uint8)  # 600 wide, 300 high
    wide[:, :150] = wide[:, 450:] = (0, 255, 0)  # green margins: must be cropped away
    wide[:, 150:300], wide[:, 300:450] = (255, 0, 0), (0, 0, 255)  # red | blue centre
    _save(tmp_path / "wide.png", wide)
    _save(tmp_path / "tall.png", wide.transpose(1, 0, 2))
    _save(tmp_path / "small.png", wide[::10, ::10])  # 60x30: scaled up, same geometry
    bilinear = Image.Resampling.BILINEAR
    for name in ("wide", "tall", "small"):
        out = data.load_image(tmp_path / f"{name}.png", 64)
        assert out.shape == (64, 64, 3)
        # The paper's two steps, literally: shorter side to 64 (here 128x64), then the centre.
        with Image.open(tmp_path / f"{name}.png") as image:
            w, h = image.size
            scaled = np.asarray(image.resize((64 * w // min(w, h), 64 * h // min(w, h)), bilinear))
        top, left = (scaled.shape[0] - 64) // 2, (scaled.shape[1] - 64) // 2
        reference = scaled[top : top + 64, left : left + 64]
        assert np.abs(out.astype(int) - reference).max() <= 1, name
        if name == "tall":
            out = out.transpose(1, 0, 2)
        # Away from the edges (where the filter reaches across): red | blue, no green margin.
        assert out[:, 2:30].tolist() == [[[255, 0, 0]] * 28] * 64, name
        assert out[:, 34:62].tolist() == [[[0, 0, 255]] * 28] * 64, name
        assert out[:, 2:62, 1].max() == 0, name


# --- synthetic data, subsets, repr ------------------------------------------------------


def test_synthetic_is_deterministic_balanced_uint8():
    a, b = data.synthetic(seed=3), data.synthetic(seed=3)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    assert not np.array_equal(a.x_train, data.synthetic(seed=4).x_train)
    assert a.x_train.shape == (1000, 32, 32, 3) and a.x_test.shape == (200, 32, 32, 3)
    assert a.x_train.dtype == np.uint8 and a.y_train.dtype == np.int64
    assert np.bincount(a.y_train).tolist() == [100] * 10
    # A constant guess scores 1/num_classes: the classes are balanced, so chance is 10%.
    assert np.mean(a.y_test == np.bincount(a.y_train).argmax()) == pytest.approx(0.1)


def test_synthetic_is_learnable_by_a_tiny_network():
    from alexlab.runtime import import_keras

    keras = import_keras()
    keras.utils.set_random_seed(0)
    dataset = data.synthetic()
    model = keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            keras.layers.Rescaling(1 / 255),
            keras.layers.Conv2D(16, 3, strides=2, activation="relu"),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(
        keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    model.fit(dataset.x_train, dataset.y_train, epochs=8, batch_size=32, verbose=0)
    _, accuracy = model.evaluate(dataset.x_test, dataset.y_test, verbose=0)
    assert accuracy >= 0.9


def test_subset_is_balanced_and_sized():
    dataset = data.synthetic(train_per_class=30, test_per_class=10)
    small = dataset.subset(train=50, test=20, seed=1)
    assert small.x_train.shape == (50, 32, 32, 3) and len(small.y_test) == 20
    assert np.bincount(small.y_train).tolist() == [5] * 10
    assert np.bincount(small.y_test).tolist() == [2] * 10
    np.testing.assert_array_equal(small.x_train, dataset.subset(50, 20, seed=1).x_train)
    assert dataset.subset(test=5).x_train.shape == dataset.x_train.shape
    assert "subset 50/20 (seed 1)" in small.source
    with pytest.raises(ValueError, match="301"):
        dataset.subset(train=301)


def test_repr_is_one_line_without_paths(tmp_path):
    dataset = data.load_cifar10(_cifar_folder(tmp_path / "c", train=1))
    text = repr(dataset)
    assert "\n" not in text and "(10, 32, 32, 3)" in text and "airplane" in text
    assert str(tmp_path) not in text and "/" not in dataset.source


def test_progress_bar_redraws_in_place(capsys):
    bar = download.Progress("decoding 1000 images", 1000)
    for _ in range(1000):
        bar.update()
    bar.close()
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.count("\r") <= 3  # not one line per image
    assert out.rstrip().endswith("1000 / 1000 [" + "=" * 30 + "]")


def test_flowers_size_follows_the_profile(tmp_path, monkeypatch):
    from PIL import Image

    root = tmp_path / "flower_photos"
    for name in data.FLOWERS_CLASSES:
        (root / name).mkdir(parents=True)
        for i in range(2):
            Image.new("RGB", (90, 70), (i * 50, 80, 120)).save(root / name / f"{i}.jpg")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    for profile, size in (("smoke", 64), ("cpu", 128)):
        monkeypatch.setenv("ALEXLAB_PROFILE", profile)
        assert data.load_flowers(tmp_path, test_fraction=0.5).x_train.shape[1:] == (size, size, 3)
